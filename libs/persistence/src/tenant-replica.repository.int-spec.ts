import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';
import { PersistenceModule } from './persistence.module';
import { TENANT_REPLICA_REPOSITORY, TenantReplicaRepository } from './tenant-replica.repository';

const uriOf = (region: string) => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/replica-${region}-${Date.now().toString(36)}`;
  return u.toString();
};

/** Two regions' stores on the real MongoDB-protocol server: the active one's copy of a tenant's configuration, applied to the standby's. */
describe('tenant configuration replica on a real database', () => {
  let a: INestApplicationContext;
  let b: INestApplicationContext;
  let dbA: Connection;
  let dbB: Connection;
  let replicaA: TenantReplicaRepository;
  let replicaB: TenantReplicaRepository;

  beforeAll(async () => {
    a = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uriOf('a')), { logger: false, abortOnError: false });
    b = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uriOf('b')), { logger: false, abortOnError: false });
    dbA = a.get(getConnectionToken());
    dbB = b.get(getConnectionToken());
    replicaA = a.get(TENANT_REPLICA_REPOSITORY);
    replicaB = b.get(TENANT_REPLICA_REPOSITORY);
  });

  afterAll(async () => {
    await dbA?.dropDatabase();
    await dbB?.dropDatabase();
    await a?.close();
    await b?.close();
  });

  it('makes the standby’s copy equal to the active region’s — types kept, stale and superseded documents gone, other tenants untouched — and writes nothing when equal', async () => {
    const at = new Date('2026-12-07T10:00:00.000Z');
    const sealed = new mongo.Binary(Buffer.from('sealed-credential-bytes'));
    await dbA.collection('tenants').insertOne({ _id: 'acme' as never, name: 'Acme', homeRegion: 'local-a', languages: ['en'], timeZone: 'UTC', createdAt: at, updatedAt: at });
    await dbA.collection('channel_accounts').insertOne({ _id: 'wa-acme-1' as never, tenantId: 'acme', channel: 'whatsapp', externalId: '1065', sealed, createdAt: at, updatedAt: at });
    await dbA.collection('api_keys').insertOne({ _id: 'hash-1' as never, tenantId: 'acme', role: 'admin', createdAt: at });
    await dbA.collection('people').insertOne({ _id: 'p-1' as never, tenantId: 'acme', email: 'ana@acme.test', passwordHash: 'scrypt$x', createdAt: at });
    // The standby's own: the same number under another id (bootstrapped there from its env), a key
    // revoked in the active region since, and another tenant's account.
    await dbB.collection('channel_accounts').insertOne({ _id: 'wa-acme-own' as never, tenantId: 'acme', channel: 'whatsapp', externalId: '1065', createdAt: at, updatedAt: at });
    await dbB.collection('api_keys').insertOne({ _id: 'hash-revoked' as never, tenantId: 'acme', role: 'agent', createdAt: at });
    await dbB.collection('channel_accounts').insertOne({ _id: 'wa-globex' as never, tenantId: 'globex', channel: 'whatsapp', externalId: '2077', createdAt: at, updatedAt: at });
    await dbB.collection('channel_accounts').createIndex({ channel: 1, externalId: 1 }, { unique: true });

    const snapshot = await replicaA.snapshot('acme');
    // Over the wire between regions: JSON text.
    const applied = await replicaB.apply(JSON.parse(JSON.stringify(snapshot)) as typeof snapshot);
    expect(applied).toEqual({ upserted: 4, deleted: 2, changedKeys: ['hash-revoked'] });

    const account = await dbB.collection('channel_accounts').findOne({ _id: 'wa-acme-1' as never });
    expect(account?.sealed).toBeInstanceOf(mongo.Binary);
    expect(Buffer.from((account?.sealed as mongo.Binary).buffer).toString()).toBe('sealed-credential-bytes');
    expect(account?.createdAt).toEqual(at);
    expect(await dbB.collection('channel_accounts').find({ tenantId: 'acme' }).map((d) => d._id).toArray()).toEqual(['wa-acme-1']);
    expect(await dbB.collection('api_keys').find({}).map((d) => d._id).toArray()).toEqual(['hash-1']);
    expect(await dbB.collection('channel_accounts').findOne({ _id: 'wa-globex' as never })).not.toBeNull();
    expect(await dbB.collection('tenants').findOne({ _id: 'acme' as never })).toMatchObject({ name: 'Acme', homeRegion: 'local-a' });

    // Equal copies: nothing is written.
    expect(await replicaB.apply(await replicaA.snapshot('acme'))).toEqual({ upserted: 0, deleted: 0, changedKeys: [] });
    // A change there (a rotated credential) arrives as one replace.
    await dbA.collection('channel_accounts').updateOne({ _id: 'wa-acme-1' as never }, { $set: { sealed: new mongo.Binary(Buffer.from('rotated')), updatedAt: new Date() } });
    expect(await replicaB.apply(await replicaA.snapshot('acme'))).toEqual({ upserted: 1, deleted: 0, changedKeys: [] });
  });

  it('refuses a snapshot that carries another tenant’s document, and writes none of it', async () => {
    const forged = await replicaA.snapshot('acme');
    forged.stores.people = mongo.BSON.EJSON.stringify([{ _id: 'p-evil', tenantId: 'globex', email: 'x@globex.test' }], { relaxed: false });
    await expect(replicaB.apply(forged)).rejects.toThrow(/another tenant/);
    expect(await dbB.collection('people').findOne({ _id: 'p-evil' as never })).toBeNull();
  });
});
