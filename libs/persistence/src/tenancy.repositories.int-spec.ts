import { createHash } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Envelope } from '@omni/secrets';
import { PersistenceModule } from './persistence.module';
import { API_KEY_REPOSITORY, ApiKeyRepository } from './routing.ports';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountRepository, TENANT_DIRECTORY, TenantDirectory } from './tenancy.ports';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/tenancy-${Date.now().toString(36)}`;
  return u.toString();
})();

const envelope = (kekId: string, wrapped: string): Envelope => ({ v: 1, key: { kekId, wrapped }, data: 'c2VhbGVk' });

/** Tenants, channel accounts and API keys on the real MongoDB-protocol server: the unique keys do the work. */
describe('tenancy repositories on a real database', () => {
  let app: INestApplicationContext;
  let tenants: TenantDirectory;
  let accounts: ChannelAccountRepository;
  let keys: ApiKeyRepository;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    tenants = app.get(TENANT_DIRECTORY);
    accounts = app.get(CHANNEL_ACCOUNT_REPOSITORY);
    keys = app.get(API_KEY_REPOSITORY);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('creates a tenant once, never overwrites it from the bootstrap, and updates its profile', async () => {
    expect(await tenants.create({ _id: 'acme', name: 'Acme', homeRegion: 'local-a', languages: ['en'], timeZone: 'UTC' })).toBe(true);
    expect(await tenants.create({ _id: 'acme', name: 'Other' })).toBe(false);
    await Promise.all([tenants.ensure({ _id: 'acme', name: 'Bootstrap' }), tenants.ensure({ _id: 'boot', name: 'Boot' }), tenants.ensure({ _id: 'boot', name: 'Boot 2' })]);
    expect(await tenants.get('acme')).toMatchObject({ name: 'Acme', homeRegion: 'local-a' });
    expect(await tenants.get('boot')).toMatchObject({ name: expect.stringMatching(/^Boot/) });
    expect(await tenants.update('acme', { timeZone: 'Europe/Lisbon' })).toMatchObject({ name: 'Acme', timeZone: 'Europe/Lisbon' });
    expect(await tenants.update('nobody', { name: 'x' })).toBeNull();
    expect((await tenants.list(10)).map((t) => t._id)).toEqual(['acme', 'boot']);
  });

  it('connects a number once across tenants, even when two connect it at the same moment', async () => {
    const base = { channel: 'whatsapp' as const, externalId: '200000000000001', settings: {}, createdBy: 'spec' };
    const outcomes = await Promise.all([
      accounts.insert({ ...base, _id: 'ca_a', tenantId: 'acme', secrets: envelope('k1', 'w-a') }),
      accounts.insert({ ...base, _id: 'ca_b', tenantId: 'globex', secrets: envelope('k1', 'w-b') }),
    ]);
    expect(outcomes.sort()).toEqual(['created', 'taken']);
    const holder = await accounts.byExternalId('whatsapp', '200000000000001');
    expect(await accounts.get(holder!.tenantId === 'acme' ? 'globex' : 'acme', holder!._id)).toBeNull();
    // Another channel may use the same id.
    expect(await accounts.insert({ ...base, channel: 'messenger', _id: 'ca_page', tenantId: 'acme' })).toBe('created');
  });

  it('swaps an envelope only while it is the expected one, and finds those under another KEK', async () => {
    await accounts.insert({ _id: 'ca_r', tenantId: 'acme', channel: 'telegram', externalId: '123456', settings: {}, createdBy: 'spec', secrets: envelope('k1', 'w-1') });
    expect((await accounts.wrappedByOther('k2', 100)).map((a) => a._id)).toEqual(expect.arrayContaining(['ca_r']));
    expect(await accounts.swapSecrets('ca_r', envelope('k1', 'stale'), envelope('k2', 'w-2'))).toBe(false);
    expect(await accounts.swapSecrets('ca_r', envelope('k1', 'w-1'), envelope('k2', 'w-2'))).toBe(true);
    expect((await accounts.wrappedByOther('k2', 100)).map((a) => a._id)).not.toContain('ca_r');
    expect(await accounts.setSecrets('globex', 'ca_r', envelope('k2', 'stolen'), new Date())).toBe(false);
    expect(await accounts.remove('globex', 'ca_r')).toBe(false);
    expect(await accounts.remove('acme', 'ca_r')).toBe(true);
  });

  it('lists and revokes a tenant’s keys by public id, and a key stored before key ids by its hash prefix', async () => {
    const hash = (k: string) => createHash('sha256').update(k).digest('hex');
    await keys.save({ _id: hash('new-key'), keyId: 'k-1', tenantId: 'acme', name: 'new', role: 'agent', agentId: 'ana' });
    await keys.save({ _id: hash('old-key'), tenantId: 'acme', name: 'old', role: 'admin' });
    expect((await keys.list('acme')).map((k) => k.name).sort()).toEqual(['new', 'old']);
    expect(await keys.revoke('globex', 'k-1')).toBeNull();
    expect(await keys.revoke('acme', 'k-1')).toBe(hash('new-key'));
    expect(await keys.revoke('globex', `h-${hash('old-key').slice(0, 16)}`)).toBeNull();
    expect(await keys.revoke('acme', `h-${hash('old-key').slice(0, 16)}`)).toBe(hash('old-key'));
    expect(await keys.list('acme')).toEqual([]);
  });
});
