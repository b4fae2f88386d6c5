import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import type { Envelope } from '@omni/secrets';
import type { Channel } from '@omni/contracts';
import { insertOnce, isDuplicateKey } from './mongo-errors';
import type { TenantDoc } from './schemas';
import type { ChannelAccountRepository, NewChannelAccount, TenantConnectorRepository, TenantDirectory, TenantProfile } from './tenancy.ports';
import type { ChannelAccountDoc, TenantConnectorDoc } from './tenancy.schemas';

const PROFILE = { _id: 1, name: 1, homeRegion: 1, languages: 1, timeZone: 1, nluFallback: 1, kafkaShredding: 1, kafkaShreddingSince: 1, createdAt: 1, updatedAt: 1 } as const;

@Injectable()
export class MongoTenantDirectory implements TenantDirectory {
  constructor(@InjectModel('Tenant') private readonly model: Model<TenantDoc>) {}

  create(t: Omit<TenantDoc, 'createdAt' | 'updatedAt'>): Promise<boolean> {
    const now = new Date();
    return insertOnce(this.model, { ...t, createdAt: now, updatedAt: now });
  }

  async ensure(t: Omit<TenantDoc, 'createdAt' | 'updatedAt'>): Promise<void> {
    const now = new Date();
    try {
      await this.model.updateOne({ _id: t._id }, { $setOnInsert: { ...t, createdAt: now, updatedAt: now } }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // another replica inserted it first
    }
  }

  list(limit: number): Promise<TenantProfile[]> {
    return this.model.find({}, PROFILE).sort({ _id: 1 }).limit(limit).lean<TenantProfile[]>().exec();
  }

  get(id: string): Promise<TenantProfile | null> {
    return this.model.findById(id, PROFILE).lean<TenantProfile>().exec();
  }

  async update(id: string, fields: Partial<Pick<TenantDoc, 'name' | 'homeRegion' | 'languages' | 'timeZone' | 'nluFallback' | 'handoffPolicy' | 'kafkaShredding' | 'kafkaShreddingSince'>>): Promise<TenantProfile | null> {
    // Not findOneAndUpdate with a projection: FerretDB does not implement findAndModify's `fields`.
    const r = await this.model.updateOne({ _id: id }, { $set: { ...fields, updatedAt: new Date() } });
    return r.matchedCount === 1 ? this.get(id) : null;
  }
}

@Injectable()
export class MongoChannelAccountRepository implements ChannelAccountRepository {
  constructor(@InjectModel('ChannelAccount') private readonly model: Model<ChannelAccountDoc>) {}

  async insert(a: NewChannelAccount): Promise<'created' | 'taken'> {
    const now = new Date();
    return (await insertOnce(this.model, { ...a, createdAt: now, updatedAt: now })) ? 'created' : 'taken';
  }

  async ensure(a: NewChannelAccount): Promise<boolean> {
    return (await this.insert(a)) === 'created';
  }

  list(tenantId: string): Promise<ChannelAccountDoc[]> {
    return this.model.find({ tenantId }).sort({ createdAt: 1 }).limit(1_000).lean<ChannelAccountDoc[]>().exec();
  }

  get(tenantId: string, id: string): Promise<ChannelAccountDoc | null> {
    return this.model.findOne({ _id: id, tenantId }).lean<ChannelAccountDoc>().exec();
  }

  byExternalId(channel: Channel, externalId: string): Promise<ChannelAccountDoc | null> {
    return this.model.findOne({ channel, externalId }).lean<ChannelAccountDoc>().exec();
  }

  async setSecrets(tenantId: string, id: string, secrets: Envelope, at: Date): Promise<boolean> {
    const r = await this.model.updateOne({ _id: id, tenantId }, { $set: { secrets, credentialsUpdatedAt: at, updatedAt: at } });
    return r.matchedCount === 1;
  }

  async swapSecrets(id: string, expected: Envelope, next: Envelope): Promise<boolean> {
    const r = await this.model.updateOne({ _id: id, 'secrets.key.wrapped': expected.key.wrapped }, { $set: { secrets: next } });
    return r.modifiedCount === 1;
  }

  wrappedByOther(kekId: string, limit: number): Promise<ChannelAccountDoc[]> {
    return this.model.find({ secrets: { $exists: true }, 'secrets.key.kekId': { $ne: kekId } }).limit(limit).lean<ChannelAccountDoc[]>().exec();
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const r = await this.model.deleteOne({ _id: id, tenantId });
    return r.deletedCount === 1;
  }
}

@Injectable()
export class MongoTenantConnectorRepository implements TenantConnectorRepository {
  constructor(@InjectModel('TenantConnector') private readonly model: Model<TenantConnectorDoc>) {}

  get(tenantId: string): Promise<TenantConnectorDoc | null> {
    return this.model.findById(tenantId).lean<TenantConnectorDoc>().exec();
  }

  async replace(doc: TenantConnectorDoc, expected: Envelope | null): Promise<boolean> {
    if (expected === null) return insertOnce(this.model, doc);
    const r = await this.model.replaceOne({ _id: doc._id, 'secrets.key.wrapped': expected.key.wrapped }, doc);
    return r.matchedCount === 1;
  }

  async swapSecrets(tenantId: string, expected: Envelope, next: Envelope): Promise<boolean> {
    const r = await this.model.updateOne({ _id: tenantId, 'secrets.key.wrapped': expected.key.wrapped }, { $set: { secrets: next } });
    return r.modifiedCount === 1;
  }

  wrappedByOther(kekId: string, limit: number): Promise<TenantConnectorDoc[]> {
    return this.model.find({ 'secrets.key.kekId': { $ne: kekId } }).limit(limit).lean<TenantConnectorDoc[]>().exec();
  }

  async remove(tenantId: string): Promise<boolean> {
    return (await this.model.deleteOne({ _id: tenantId })).deletedCount === 1;
  }
}
