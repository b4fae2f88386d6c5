import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { insertOnce } from './mongo-errors';
import type { PersonRepository, SessionRepository } from './people.ports';
import type { PersonDoc, SessionDoc } from './people.schemas';

@Injectable()
export class MongoPersonRepository implements PersonRepository {
  constructor(@InjectModel('Person') private readonly model: Model<PersonDoc>) {}

  async insert(p: Omit<PersonDoc, 'createdAt'>): Promise<'created' | 'taken'> {
    return (await insertOnce(this.model, { ...p, createdAt: new Date() })) ? 'created' : 'taken';
  }

  byEmail(tenantId: string, email: string): Promise<PersonDoc | null> {
    return this.model.findOne({ tenantId, email }).lean<PersonDoc>().exec();
  }

  list(tenantId: string): Promise<PersonDoc[]> {
    return this.model.find({ tenantId }).sort({ createdAt: 1 }).limit(1_000).lean<PersonDoc[]>().exec();
  }

  async remove(tenantId: string, personId: string): Promise<boolean> {
    return (await this.model.deleteOne({ _id: personId, tenantId }).exec()).deletedCount === 1;
  }
}

@Injectable()
export class MongoSessionRepository implements SessionRepository {
  constructor(@InjectModel('Session') private readonly model: Model<SessionDoc>) {}

  async insert(s: Omit<SessionDoc, 'createdAt'>): Promise<void> {
    await this.model.create({ ...s, createdAt: new Date() });
  }

  find(hash: string): Promise<SessionDoc | null> {
    return this.model.findById(hash).lean<SessionDoc>().exec();
  }

  /**
   * One winner among concurrent refreshes of the same token: the one whose delete removed the row.
   * Not findOneAndDelete: FerretDB runs findAndModify as a read and then a delete without isolation,
   * so two callers could both get the document (seen in the int-spec); a DELETE's affected-row count
   * is decided by the database's row lock on FerretDB/PostgreSQL and on MongoDB alike.
   */
  async takeForRefresh(refreshHash: string, now: Date): Promise<SessionDoc | null> {
    const session = await this.model.findOne({ refreshHash, refreshExpiresAt: { $gt: now } }).lean<SessionDoc>().exec();
    if (!session) return null;
    const { deletedCount } = await this.model.deleteOne({ _id: session._id }).exec();
    return deletedCount === 1 ? session : null;
  }

  async remove(hash: string): Promise<boolean> {
    return (await this.model.deleteOne({ _id: hash }).exec()).deletedCount === 1;
  }

  async removeOfPerson(tenantId: string, personId: string): Promise<string[]> {
    const ids = (await this.model.find({ tenantId, personId }, { _id: 1 }).lean<{ _id: string }[]>().exec()).map((d) => d._id);
    if (ids.length) await this.model.deleteMany({ _id: { $in: ids } }).exec();
    return ids;
  }
}
