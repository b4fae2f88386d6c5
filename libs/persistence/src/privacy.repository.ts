import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import type { ConversationDoc, CustomerDoc, MessageDoc } from './schemas';
import type { BotTurnDoc } from './routing.schemas';

/**
 * Data-subject requests (GDPR art. 15/17, CCPA): what the router holds of one customer (a channel
 * identity), exported or erased. The erasure log keeps what was done and when, never whom: the
 * customer's id is replaced everywhere by a fresh tombstone id, which is all the log holds.
 */
export interface PrivacyRequestDoc {
  _id: string;
  tenantId: string;
  kind: 'erase';
  /** The tombstone that replaced the customer's id on their conversations. */
  subject: string;
  requestedBy: string;
  at: Date;
  counts: { customers: number; conversations: number; messages: number; botTurns: number };
}

export const PrivacyRequestSchema = new Schema<PrivacyRequestDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    kind: { type: String, enum: ['erase'], required: true },
    subject: { type: String, required: true },
    requestedBy: { type: String, required: true },
    at: { type: Date, required: true },
    counts: { _id: false, type: { customers: Number, conversations: Number, messages: Number, botTurns: Number } },
  },
  { versionKey: false, collection: 'privacy_requests' },
);
// A tenant's erasure log, newest first (audit).
PrivacyRequestSchema.index({ tenantId: 1, at: -1 });

export interface CustomerExport {
  customer: CustomerDoc;
  conversations: ConversationDoc[];
  messages: MessageDoc[];
}

/** Placeholder left where an erased channel identity was (replies cannot reach it any more). */
export const ERASED_USER = 'erased';

export interface PrivacyRepository {
  /** Everything stored about one customer of a tenant; null when the tenant has no such customer. */
  export(tenantId: string, customerId: string): Promise<CustomerExport | null>;
  /** Erases the customer's identity and every message text, attachment and AI reading of their conversations. */
  erase(tenantId: string, customerId: string, requestedBy: string, at: Date): Promise<PrivacyRequestDoc | null>;
}

export const PRIVACY_REPOSITORY = Symbol('PrivacyRepository');

@Injectable()
export class MongoPrivacyRepository implements PrivacyRepository {
  constructor(
    @InjectModel('Customer') private readonly customers: Model<CustomerDoc>,
    @InjectModel('Conversation') private readonly conversations: Model<ConversationDoc>,
    @InjectModel('Message') private readonly messages: Model<MessageDoc>,
    @InjectModel('BotTurn') private readonly botTurns: Model<BotTurnDoc>,
    @InjectModel('PrivacyRequest') private readonly requests: Model<PrivacyRequestDoc>,
  ) {}

  async export(tenantId: string, customerId: string): Promise<CustomerExport | null> {
    const customer = await this.customers.findOne({ _id: customerId, tenantId }).lean<CustomerDoc>().exec();
    if (!customer) return null;
    const conversations = await this.conversations.find({ tenantId, customerId }).sort({ createdAt: 1 }).lean<ConversationDoc[]>().exec();
    const messages = conversations.length === 0 ? [] : await this.messages
      .find({ tenantId, conversationId: { $in: conversations.map((c) => c._id) } })
      .sort({ timestamp: 1, createdAt: 1 })
      .lean<MessageDoc[]>()
      .exec();
    return { customer, conversations, messages };
  }

  async erase(tenantId: string, customerId: string, requestedBy: string, at: Date): Promise<PrivacyRequestDoc | null> {
    const customer = await this.customers.findOne({ _id: customerId, tenantId }, { _id: 1 }).lean<Pick<CustomerDoc, '_id'>>().exec();
    if (!customer) return null;
    const subject = `erased-${randomUUID()}`;
    const conversations = await this.conversations.find({ tenantId, customerId }, { _id: 1, handoff: 1 }).lean<Pick<ConversationDoc, '_id' | 'handoff'>[]>().exec();
    const ids = conversations.map((c) => c._id);
    // Messages first: should the request fail half-way, a retry still finds the customer and goes on.
    // A channel's message id may embed the sender (web visitor ids, some email Message-IDs): each
    // message keeps only its own event id there, which stays unique and still dedupes a redelivery (by _id).
    const stored = ids.length === 0 ? [] : await this.messages.find({ tenantId, conversationId: { $in: ids } }, { _id: 1, author: 1 }).lean<Pick<MessageDoc, '_id' | 'author'>[]>().exec();
    const messages = stored.length === 0 ? { modifiedCount: 0 } : await this.messages.bulkWrite(stored.map((m) => ({
      updateOne: {
        filter: { _id: m._id },
        update: {
          $set: { attachments: [], redactedAt: at, channelMessageId: m._id, ...(m.author.kind === 'customer' ? { 'author.id': subject } : {}) },
          $unset: { text: '', ai: '', 'author.name': '' },
        },
      },
    })), { ordered: false });
    const botTurns = ids.length === 0 ? { deletedCount: 0 } : await this.botTurns.deleteMany({ tenantId, conversationId: { $in: ids } });
    for (const c of conversations) {
      // The agent summary quotes entities (order numbers, emails): keep only the reason codes for reports.
      const handoff = c.handoff ? { at: c.handoff.at, messageId: c.handoff.messageId, reasons: c.handoff.reasons.map((r) => ({ code: r.code, detail: '' })), summary: {} } : undefined;
      await this.conversations.updateOne(
        { _id: c._id, tenantId },
        { $set: { customerId: subject, channelUserId: ERASED_USER, ...(handoff ? { handoff } : {}) } },
      );
    }
    const customers = await this.customers.deleteOne({ _id: customerId, tenantId });
    const doc: PrivacyRequestDoc = {
      _id: randomUUID(), tenantId, kind: 'erase', subject, requestedBy, at,
      counts: { customers: customers.deletedCount, conversations: ids.length, messages: messages.modifiedCount, botTurns: botTurns.deletedCount },
    };
    await this.requests.create(doc);
    return doc;
  }
}
