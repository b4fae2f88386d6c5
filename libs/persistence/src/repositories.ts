import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { customerKey } from './keys';
import { InsertBatcher, driverInsertMany } from './insert-batcher';
import { isDuplicateKey } from './mongo-errors';
import { UpdateBatcher } from './update-batcher';
import type { CustomerRepository, MessageRepository } from './ports';
import type { CustomerDoc, MessageDoc, StatusEntry } from './schemas';
import { anyOf } from './filters';

export { MongoConversationRepository } from './conversation.repository';

export const STATUS_RANK: Record<StatusEntry['status'], number> = { sent: 1, delivered: 2, read: 3, failed: 4 };

@Injectable()
export class MongoCustomerRepository implements CustomerRepository {
  constructor(@InjectModel('Customer') private readonly model: Model<CustomerDoc>) {}

  async upsert(c: Omit<CustomerDoc, '_id' | 'createdAt' | 'lastSeenAt'>, at: Date): Promise<string> {
    const _id = customerKey(c.tenantId, c.channel, c.accountId, c.channelUserId);
    const set: Partial<CustomerDoc> = { lastSeenAt: at };
    if (c.displayName) set.displayName = c.displayName;
    if (c.locale) set.locale = c.locale;
    try {
      await this.model.updateOne(
        { _id },
        { $set: set, $setOnInsert: { tenantId: c.tenantId, channel: c.channel, accountId: c.accountId, channelUserId: c.channelUserId, createdAt: at } },
        { upsert: true },
      );
    } catch (err) {
      // Two routers upserting the same new customer: the loser's insert collides; the row exists.
      if (!isDuplicateKey(err)) throw err;
      await this.model.updateOne({ _id }, { $set: set });
    }
    return _id;
  }

  get(tenantId: string, id: string): Promise<CustomerDoc | null> {
    return this.model.findOne({ _id: id, tenantId }).lean<CustomerDoc>().exec();
  }

  getMany(tenantId: string, ids: readonly string[]): Promise<CustomerDoc[]> {
    return this.model.find({ tenantId, ...anyOf('_id', ids) }).sort({ createdAt: 1 }).lean<CustomerDoc[]>().exec();
  }

  /** A scan of the tenant's customers (no index serves a regex): bounded by `limit`, for a person's search. */
  search(tenantId: string, text: string, limit: number): Promise<CustomerDoc[]> {
    const literal = escapeRegExp(text.trim());
    // A phone number as people write it (+1 650-555 0100) is stored as WhatsApp's digits (16505550100).
    const digits = /^\+?[\d\s().-]+$/.test(text.trim()) ? text.replace(/\D/g, '') : '';
    const or: Record<string, unknown>[] = [
      { _id: text.trim() },
      { channelUserId: { $regex: `^${literal}`, $options: 'i' } },
      { displayName: { $regex: literal, $options: 'i' } },
      ...(digits ? [{ channelUserId: { $regex: `^${digits}` } }] : []),
    ];
    return this.model.find({ tenantId, $or: or }).sort({ lastSeenAt: -1 }).limit(limit).lean<CustomerDoc[]>().exec();
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

@Injectable()
export class MongoMessageRepository implements MessageRepository {
  /** Concurrent handlers' inserts go out together, each acknowledged only once stored (ADR 0011). */
  private readonly inserts: InsertBatcher<MessageDoc>;
  /** The same for the AI's reading and delivery statuses: one command for concurrent handlers' updates. */
  private readonly updates: UpdateBatcher;

  constructor(@InjectModel('Message') private readonly model: Model<MessageDoc>) {
    this.inserts = new InsertBatcher(driverInsertMany(this.model));
    this.updates = new UpdateBatcher((ops) => this.model.bulkWrite(ops, { ordered: false }));
  }

  async insert(m: Omit<MessageDoc, 'statusRank' | 'statusHistory' | 'createdAt'>): Promise<{ message: MessageDoc; created: boolean }> {
    const doc: MessageDoc = { ...m, statusRank: 0, statusHistory: [], createdAt: new Date() };
    if ((await this.inserts.insert(doc)) === 'inserted') return { message: doc, created: true };
    const existing = await this.get(m._id);
    // Same channel id under another _id: a real conflict, surface it.
    if (!existing) throw Object.assign(new Error(`message ${m._id}: its channel message id is stored under another id`), { code: 11000 });
    return { message: existing, created: false };
  }

  get(id: string): Promise<MessageDoc | null> {
    return this.model.findById(id).lean<MessageDoc>().exec();
  }

  async attachAi(id: string, ai: Record<string, unknown>): Promise<void> {
    await this.updates.update({ _id: id }, { $set: { ai } });
  }

  async applyStatus(id: string, entry: StatusEntry, providerMessageId?: string): Promise<boolean> {
    const rank = STATUS_RANK[entry.status];
    const set: Record<string, unknown> = { status: entry.status, statusRank: rank };
    if (providerMessageId) set.providerMessageId = providerMessageId;
    // Conditional on the current rank: a late "delivered" after "read" changes nothing, and two
    // consumers applying the same status race safely. failed (rank 4) is terminal.
    const matched = await this.updates.update({ _id: id, statusRank: { $lt: rank } }, { $set: set, $push: { statusHistory: entry } });
    // Only part of its batch matched (the store counts per batch): read back whether the message is
    // now at this status or later — by this update or an earlier one, which is all a caller learns.
    if (matched === undefined) return (await this.model.exists({ _id: id, statusRank: { $gte: rank } }).exec()) !== null;
    return matched;
  }

  history(conversationId: string, limit: number): Promise<MessageDoc[]> {
    return this.model
      .find({ conversationId })
      .sort({ timestamp: -1, createdAt: -1 })
      .limit(limit)
      .lean<MessageDoc[]>()
      .exec()
      .then((rows) => rows.reverse());
  }

  reactedTo(conversationId: string, targetMessageId: string): Promise<MessageDoc | null> {
    // The conversation index narrows to one conversation's messages; the $or picks among them.
    return this.model
      .findOne({ conversationId, direction: 'outbound', $or: [{ providerMessageId: targetMessageId }, { _id: targetMessageId }, { channelMessageId: targetMessageId }] })
      .lean<MessageDoc>()
      .exec();
  }

  responsesOf(conversationIds: readonly string[]): Promise<Pick<MessageDoc, 'conversationId' | 'author' | 'timestamp'>[]> {
    return this.model
      .find({ ...anyOf('conversationId', conversationIds), direction: 'outbound', 'author.kind': { $in: ['bot', 'agent'] } }, { conversationId: 1, author: 1, timestamp: 1 })
      .lean<Pick<MessageDoc, 'conversationId' | 'author' | 'timestamp'>[]>()
      .exec();
  }

  ofConversations(conversationIds: readonly string[], limit: number): Promise<MessageDoc[]> {
    return this.model.find({ ...anyOf('conversationId', conversationIds) }).sort({ timestamp: 1, createdAt: 1 }).limit(limit).lean<MessageDoc[]>().exec();
  }
}
