import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import type { TenantRepository } from './ports';
import type { TenantDoc } from './schemas';

@Injectable()
export class MongoTenantRepository implements TenantRepository {
  constructor(@InjectModel('Tenant') private readonly model: Model<TenantDoc>) {}

  get(id: string): Promise<TenantDoc | null> {
    return this.model.findById(id).lean<TenantDoc>().exec();
  }

  async save(t: Omit<TenantDoc, 'createdAt' | 'updatedAt'>): Promise<void> {
    const now = new Date();
    const { _id, ...fields } = t;
    await this.model.updateOne({ _id }, { $set: { ...fields, updatedAt: now }, $setOnInsert: { createdAt: now } }, { upsert: true });
  }
}
