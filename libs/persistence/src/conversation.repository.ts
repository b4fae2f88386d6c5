import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
import { Model } from 'mongoose';
import { isDuplicateKey } from './mongo-errors';
import { ERASED_USER } from './privacy.repository';
import type { ConversationRepository } from './ports';
import type { ConversationDoc } from './schemas';
import { anyOf } from './filters';

type OpenFields = Omit<ConversationDoc, 'createdAt' | 'updatedAt' | 'version' | 'state' | 'lastMessageAt'>;

/** How many conversation ids a process remembers having opened or touched (a hint, see `openOrTouch`). */
const KNOWN_CONVERSATIONS = 100_000;

@Injectable()
export class MongoConversationRepository implements ConversationRepository {
  /**
   * Conversations this process opened or touched lately. Only the order of the two attempts depends on
   * it, never the outcome: the unique _id decides who opens a conversation.
   */
  private readonly known = new LRUCache<string, true>({ max: KNOWN_CONVERSATIONS });

  constructor(@InjectModel('Conversation') private readonly model: Model<ConversationDoc>) {}

  /**
   * One write on the common path. A conversation this process has seen lately is touched first (its
   * next messages); any other is inserted first — nearly always a new customer's first message, which
   * used to cost a find-and-modify that found nothing (the store's dearest command, ADR 0011) before
   * the insert. A conversation that exists but is unknown here (another router held its partition, or
   * this one restarted) costs a refused insert before its touch, once. Two first messages at once are
   * settled by the unique _id.
   */
  async openOrTouch(c: OpenFields, at: Date, inbound: boolean): Promise<{ conversation: ConversationDoc; created: boolean; restored?: boolean; erased?: boolean }> {
    let updated = this.known.has(c._id) ? await this.touch(c._id, at, inbound) : null;
    this.known.set(c._id, true);
    if (!updated) {
      const doc: ConversationDoc = {
        ...c, state: 'bot', since: at, createdAt: at, updatedAt: at, lastMessageAt: at, version: 0, ...(inbound ? { lastInboundAt: at } : {}),
      };
      try {
        await this.model.create(doc);
        return { conversation: doc, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      updated = await this.touch(c._id, at, inbound);
      if (!updated) throw new Error(`conversation ${c._id} vanished`);
    }
    if (inbound && updated.channelUserId === ERASED_USER) {
      // Written before the erasure (a redelivery, a retry, a replayed dead letter): not a new contact.
      if (updated.erasedAt && at.getTime() <= new Date(updated.erasedAt).getTime()) return { conversation: updated, created: false, erased: true };
      // The customer was erased and wrote again: the conversation reaches them under their new consent.
      // Its erased bot turns are gone: a copy of them held by a reply step is no longer used (turnsEpoch).
      updated = await this.model.findOneAndUpdate(
        { _id: c._id }, { $set: { customerId: c.customerId, channelUserId: c.channelUserId }, $inc: { turnsEpoch: 1 } }, { returnDocument: 'after' },
      ).lean<ConversationDoc>() ?? updated;
      return { conversation: updated, created: false, restored: true };
    }
    return { conversation: updated, created: false };
  }

  private touch(id: string, at: Date, inbound: boolean): Promise<ConversationDoc | null> {
    const set: Partial<ConversationDoc> = { lastMessageAt: at, updatedAt: at };
    if (inbound) set.lastInboundAt = at;
    return this.model.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }).lean<ConversationDoc>().exec();
  }

  get(id: string): Promise<ConversationDoc | null> {
    return this.model.findById(id).lean<ConversationDoc>().exec();
  }

  async turnsChanged(id: string): Promise<void> {
    await this.model.updateOne({ _id: id }, { $inc: { turnsEpoch: 1 } });
  }

  async setLanguage(id: string, language: string): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { language } });
  }

  /**
   * Best effort by design: the owner is decided by the insert into conversation_ownership; this copy
   * only serves list queries, and the caller re-reads and re-applies it if a concurrent write lost it.
   */
  applyOwnership(id: string, version: number, set: Partial<ConversationDoc>, unset: readonly (keyof ConversationDoc)[] = []): Promise<ConversationDoc | null> {
    const update: Record<string, unknown> = { $set: { ...set, version, updatedAt: new Date() } };
    if (unset.length > 0) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
    return this.model.findOneAndUpdate({ _id: id, version: { $lt: version } }, update, { returnDocument: 'after' }).lean<ConversationDoc>().exec();
  }

  queued(limit: number, tenantId?: string, groupId?: string): Promise<ConversationDoc[]> {
    return this.model
      // Without the agent-facing summary and routing explanation: passes read many of these per second.
      .find({ ...(tenantId ? { tenantId } : {}), state: 'queued', ...(groupId ? { groupId } : {}) }, { handoff: 0, routing: 0 })
      .sort({ 'queue.vip': -1, 'queue.priority': -1, 'queue.firstQueuedAt': 1, _id: 1 })
      .limit(limit)
      .lean<ConversationDoc[]>()
      .exec();
  }

  countQueued(tenantId: string, groupId: string): Promise<number> {
    return this.model.countDocuments({ tenantId, state: 'queued', groupId }).exec();
  }

  list(tenantId: string, filter: { state?: ConversationDoc['state']; groupId?: string; agentId?: string; channel?: string }, limit: number): Promise<ConversationDoc[]> {
    const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
    return this.model.find({ tenantId, ...defined }).sort({ lastMessageAt: -1 }).limit(limit).lean<ConversationDoc[]>().exec();
  }

  async recordCsat(id: string, score: number, at: Date): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { 'csat.score': score, 'csat.at': at } });
  }

  openedBetween(tenantId: string, from: Date, to: Date, filter: { channel?: string }, limit: number): Promise<ConversationDoc[]> {
    return this.model
      .find({ tenantId, createdAt: { $gte: from, $lt: to }, ...(filter.channel ? { channel: filter.channel } : {}) }, { routing: 0, 'handoff.summary': 0 })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<ConversationDoc[]>()
      .exec();
  }

  ofCustomers(tenantId: string, customerIds: readonly string[], limit: number): Promise<ConversationDoc[]> {
    return this.model.find({ tenantId, ...anyOf('customerId', customerIds) }).sort({ createdAt: 1 }).limit(limit).lean<ConversationDoc[]>().exec();
  }

  async recentIdsOfCustomers(tenantId: string, customerIds: readonly string[], limit: number): Promise<string[]> {
    const rows = await this.model.find({ tenantId, ...anyOf('customerId', customerIds) }, { _id: 1 }).sort({ lastMessageAt: -1 }).limit(limit).lean<{ _id: string }[]>().exec();
    return rows.map((r) => r._id);
  }

  idleInBot(before: Date, limit: number): Promise<ConversationDoc[]> {
    return this.model.find({ state: 'bot', lastMessageAt: { $lt: before } }, { routing: 0, handoff: 0 }).sort({ lastMessageAt: 1 }).limit(limit).lean<ConversationDoc[]>().exec();
  }
}
