import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import type { CustomerDoc, ConversationDoc, MessageDoc, TenantDoc } from './schemas';
import type { BotTurnDoc } from './routing.schemas';
import type { ConversationNoteDoc } from './desk.schemas';
import type { WorkflowRunDoc } from './flows.schemas';
import type { NluPredictionDoc } from './nlu.schemas';
import { deleteChannelRecords, redactMessages, splitFileReferences } from './erasure-steps';

/**
 * What the retention purge (ADR 0501) reads and removes. FerretDB refuses TTL indexes
 * (`expireAfterSeconds` is "not implemented yet"), and a TTL index could not vary per tenant anyway, so
 * a job asks these per tenant and data type; every call is bounded (`limit`) and idempotent, so
 * replicas running it at once only repeat each other's work.
 */
export interface RetentionRepository {
  /** Every tenant with data or settings, with its raw `retention` settings. */
  tenants(): Promise<Array<{ tenantId: string; retention?: unknown }>>;
  /** Customers whose every conversation has been quiet since before `before` (oldest first). */
  inactiveCustomers(tenantId: string, before: Date, limit: number): Promise<string[]>;
  /**
   * Store ids attached to messages older than `before` that still carry attachments: `exclusive` ones no
   * newer message references (the caller deletes them from the media store), `kept` ones a newer message
   * still uses; `messageIds` are the old messages, whose attachments `dropAttachments` then empties.
   */
  oldAttachments(tenantId: string, before: Date, limit: number): Promise<{ messageIds: string[]; exclusive: string[]; kept: string[] }>;
  dropAttachments(tenantId: string, messageIds: readonly string[]): Promise<number>;
  /** Redacts messages older than `before` (text, AI reading, author name, channel id) and deletes the bot turns, workflow runs and agents' internal notes of that age. */
  expireMessages(tenantId: string, before: Date, limit: number): Promise<{ messages: number; botTurns: number; workflowRuns: number; notes: number }>;
  deletePredictions(tenantId: string, before: Date): Promise<number>;
  /**
   * The channel apps' stores on the shared database, which carry no tenant: email thread facts,
   * web-session token hashes, and the send ledgers' claims, outcomes, provider confirmations, resends and leftover holds.
   */
  purgeChannelStores(before: { emailThreads: Date; webSessions: Date; sendLedger: Date }): Promise<{ emailThreads: number; webSessions: number; sends: number; sendOutcomes: number; sendConfirmations: number; sendResends: number; sendHolds: number }>;
}

export const RETENTION_REPOSITORY = Symbol('RetentionRepository');

@Injectable()
export class MongoRetentionRepository implements RetentionRepository {
  constructor(
    @InjectModel('Tenant') private readonly tenantDocs: Model<TenantDoc>,
    @InjectModel('Customer') private readonly customers: Model<CustomerDoc>,
    @InjectModel('Conversation') private readonly conversations: Model<ConversationDoc>,
    @InjectModel('Message') private readonly messages: Model<MessageDoc>,
    @InjectModel('BotTurn') private readonly botTurns: Model<BotTurnDoc>,
    @InjectModel('WorkflowRun') private readonly runs: Model<WorkflowRunDoc>,
    @InjectModel('NluPrediction') private readonly predictions: Model<NluPredictionDoc>,
    @InjectModel('ConversationNote') private readonly notes: Model<ConversationNoteDoc>,
  ) {}

  async tenants(): Promise<Array<{ tenantId: string; retention?: unknown }>> {
    const docs = await this.tenantDocs.find({}, { _id: 1, retention: 1 }).lean<Pick<TenantDoc, '_id' | 'retention'>[]>().exec();
    const withData: string[] = await this.customers.distinct('tenantId').exec();
    const known = new Map<string, unknown>(docs.map((d) => [d._id, d.retention]));
    for (const t of withData) if (!known.has(t)) known.set(t, undefined);
    return [...known].sort(([a], [b]) => a.localeCompare(b)).map(([tenantId, retention]) => ({ tenantId, ...(retention === undefined ? {} : { retention }) }));
  }

  async inactiveCustomers(tenantId: string, before: Date, limit: number): Promise<string[]> {
    // lastSeenAt moves when a conversation opens; a customer seen earlier may still write in an old one.
    const candidates = await this.customers.find({ tenantId, lastSeenAt: { $lt: before } }, { _id: 1 }).sort({ lastSeenAt: 1 }).limit(limit * 4).lean<Pick<CustomerDoc, '_id'>[]>().exec();
    if (candidates.length === 0) return [];
    const active = await this.conversations
      .find({ tenantId, customerId: { $in: candidates.map((c) => c._id) }, lastMessageAt: { $gte: before } }, { customerId: 1 })
      .lean<Pick<ConversationDoc, 'customerId'>[]>()
      .exec();
    const busy = new Set(active.map((c) => c.customerId));
    return candidates.map((c) => c._id).filter((id) => !busy.has(id)).slice(0, limit);
  }

  async oldAttachments(tenantId: string, before: Date, limit: number): Promise<{ messageIds: string[]; exclusive: string[]; kept: string[] }> {
    const old = await this.messages
      .find({ tenantId, timestamp: { $lt: before }, 'attachments.storeId': { $exists: true } }, { _id: 1, attachments: 1 })
      .limit(limit)
      .lean<Pick<MessageDoc, '_id' | 'attachments'>[]>()
      .exec();
    const { exclusive, shared } = await splitFileReferences(this.messages, tenantId, old, { timestamp: { $gte: before } });
    return { messageIds: old.map((m) => m._id), exclusive, kept: shared };
  }

  async dropAttachments(tenantId: string, messageIds: readonly string[]): Promise<number> {
    if (messageIds.length === 0) return 0;
    return (await this.messages.updateMany({ tenantId, _id: { $in: [...messageIds] } }, { $set: { attachments: [] } }).exec()).modifiedCount;
  }

  async expireMessages(tenantId: string, before: Date, limit: number): Promise<{ messages: number; botTurns: number; workflowRuns: number; notes: number }> {
    const old = await this.messages.find({ tenantId, timestamp: { $lt: before }, redactedAt: { $exists: false } }, { _id: 1 }).limit(limit).lean<Pick<MessageDoc, '_id'>[]>().exec();
    // The same redaction as an erasure (ADR 0500), keeping the author's pseudonymous id: counts and times stay for reports.
    const messages = await redactMessages(this.messages, tenantId, old, new Date());
    const botTurns = (await this.botTurns.deleteMany({ tenantId, at: { $lt: before } }).exec()).deletedCount;
    const workflowRuns = (await this.runs.deleteMany({ tenantId, startedAt: { $lt: before } }).exec()).deletedCount;
    // Notes talk about the customer (ADR 0700): they age out with the messages.
    const notes = (await this.notes.deleteMany({ tenantId, at: { $lt: before } }).exec()).deletedCount;
    return { messages, botTurns, workflowRuns, notes };
  }

  async deletePredictions(tenantId: string, before: Date): Promise<number> {
    return (await this.predictions.deleteMany({ tenantId, at: { $lt: before } }).exec()).deletedCount;
  }

  async purgeChannelStores(before: { emailThreads: Date; webSessions: Date; sendLedger: Date }): Promise<{ emailThreads: number; webSessions: number; sends: number; sendOutcomes: number; sendConfirmations: number; sendResends: number; sendHolds: number }> {
    // A send-ledger claim older than Kafka's retention can no longer meet a redelivery of its command.
    const { emailThreads, webSessions, sends, sendOutcomes, sendConfirmations, sendResends, sendHolds } = await deleteChannelRecords(this.messages.db, {
      emailThreads: { receivedAt: { $lt: before.emailThreads } },
      webSessions: { createdAt: { $lt: before.webSessions } },
      sends: { claimedAt: { $lt: before.sendLedger } },
      sendOutcomes: { doneAt: { $lt: before.sendLedger } },
      sendConfirmations: { at: { $lt: before.sendLedger } },
      sendResends: { claimedAt: { $lt: before.sendLedger } },
      sendHolds: { at: { $lt: before.sendLedger } },
    });
    return { emailThreads, webSessions, sends, sendOutcomes, sendConfirmations, sendResends, sendHolds };
  }
}
