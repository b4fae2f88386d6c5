import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
import { Model } from 'mongoose';
import { customerKey } from './keys';
import { InsertBatcher, driverInsertMany } from './insert-batcher';
import { isDuplicateKey } from './mongo-errors';
import { UpdateBatcher } from './update-batcher';
import type { CustomerRepository, MessageRepository, StatusApplied } from './ports';
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

  /**
   * Message id → the highest status rank this process stored or read back (bounded). Only a hint that
   * a status is stale: ranks only grow, so a status at or below it cannot move the message.
   */
  private readonly ranks = new LRUCache<string, number>({ max: 100_000 });
  /** Message id → its status write in flight here. */
  private readonly statusWrites = new Map<string, Promise<StatusApplied>>();

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

  /**
   * A status already known here to be stale needs no write: a repeated one (the channel's own `sent`,
   * then Meta's `sent` webhook for the same send) or a late one. Besides saving its write, that keeps
   * it out of a batch — one stale update in a batch made the store's count partial, and every status
   * of that batch was read back (measured with Meta's status webhooks: 1.7 reads per message).
   */
  async applyStatus(id: string, entry: StatusEntry, providerMessageId?: string): Promise<StatusApplied> {
    // A status of the same message being written here goes first (then this one is likely known stale).
    const earlier = this.statusWrites.get(id);
    if (earlier) await earlier.catch(() => undefined);
    const rank = STATUS_RANK[entry.status];
    if ((this.ranks.get(id) ?? 0) >= rank) return 'stale';
    const write = this.writeStatus(id, rank, entry, providerMessageId);
    this.statusWrites.set(id, write);
    try {
      return await write;
    } finally {
      if (this.statusWrites.get(id) === write) this.statusWrites.delete(id);
    }
  }

  private async writeStatus(id: string, rank: number, entry: StatusEntry, providerMessageId?: string): Promise<StatusApplied> {
    const set: Record<string, unknown> = { status: entry.status, statusRank: rank };
    if (providerMessageId) set.providerMessageId = providerMessageId;
    // Conditional on the current rank: a late "delivered" after "read" changes nothing, and two
    // consumers applying the same status race safely. failed (rank 4) is terminal.
    const matched = await this.updates.update({ _id: id, statusRank: { $lt: rank } }, { $set: set, $push: { statusHistory: entry } });
    if (matched === true) {
      this.knowRank(id, rank);
      return 'moved';
    }
    // Nothing matched, or only part of its batch (the store counts per batch): read the message's rank
    // back — at this status or later, by this update or an earlier one, is all a caller learns.
    const stored = await this.model.findById(id, { statusRank: 1 }).lean<Pick<MessageDoc, 'statusRank'>>().exec();
    if (!stored) return 'missing';
    const now = stored.statusRank ?? 0;
    this.knowRank(id, now);
    return matched === undefined && now >= rank ? 'moved' : 'stale';
  }

  /** Ranks only grow: what this process stored or read back is a floor of the stored one. */
  private knowRank(id: string, rank: number): void {
    if (rank > (this.ranks.get(id) ?? 0)) this.ranks.set(id, rank);
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
