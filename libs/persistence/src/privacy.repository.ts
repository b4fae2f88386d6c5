import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import type { ConversationDoc, CustomerDoc, MessageDoc } from './schemas';
import type { BotTurnDoc, BotTurnPeriodDoc } from './routing.schemas';
import type { ConversationRecentDoc } from './recent-turns.repository';
import { type NluDatasetDoc, datasetHash } from './nlu.schemas';
import { insertOnce } from './mongo-errors';
import { deleteChannelRecords, redactMessages, splitFileReferences } from './erasure-steps';
import type { ConversationNoteDoc } from './desk.schemas';
import type { CustomerLinkDoc, CustomerTierDoc, ExperimentOutcomeDoc, VerifiedContactDoc, WorkflowRunDoc } from './flows.schemas';

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
  /** Records of the flows around the customer (ADR 0220-0222): contacts and workflow runs deleted, links and outcomes detached. */
  /** `trainingExamples`: agents' corrections taken from the customer's messages, removed from every version of the tenant's NLU data. */
  related?: { verifiedContacts: number; customerLinks: number; workflowRuns: number; experimentOutcomes: number; trainingExamples?: number };
  /**
   * Stored attachments of the customer's conversations (ADR 0424): files deleted by this request, and
   * files kept because a message of another conversation of the tenant still references the same bytes.
   */
  media?: { deleted: number; shared: number };
  /**
   * The receipt: what this request did in each store that can hold the person's data (ADR 0501),
   * including those it cannot change (Kafka: `expires`, with the date the last event ages out).
   */
  stores?: ErasureStoreEntry[];
}

export interface ErasureStoreEntry {
  store: string;
  action: 'deleted' | 'redacted' | 'detached' | 'expires' | 'shredded' | 'none';
  count?: number;
  until?: Date;
  note?: string;
}

/** Kafka keeps events for the topics' retention (libs/messaging topics.ts: 7 days, dead letters 14): immutable until then. */
export const KAFKA_RETENTION_DAYS = 14;

export const PrivacyRequestSchema = new Schema<PrivacyRequestDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    kind: { type: String, enum: ['erase'], required: true },
    subject: { type: String, required: true },
    requestedBy: { type: String, required: true },
    at: { type: Date, required: true },
    counts: { _id: false, type: { customers: Number, conversations: Number, messages: Number, botTurns: Number } },
    related: { _id: false, type: { verifiedContacts: Number, customerLinks: Number, workflowRuns: Number, experimentOutcomes: Number, trainingExamples: Number } },
    media: { _id: false, type: { deleted: Number, shared: Number } },
    stores: { type: [{ _id: false, store: String, action: String, count: Number, until: Date, note: String }], default: undefined },
  },
  { versionKey: false, collection: 'privacy_requests' },
);
// A tenant's erasure log, newest first (audit).
PrivacyRequestSchema.index({ tenantId: 1, at: -1 });

/** One stored attachment of an exported customer's conversations; `href` is the agent API path of its bytes. */
export interface CustomerMediaItem {
  storeId: string;
  messageId: string;
  conversationId: string;
  direction: MessageDoc['direction'];
  kind?: string;
  mime?: string;
  size?: number;
  filename?: string;
  href: string;
}

/** Store ids of the attachments of a customer's conversations, split by whether another conversation references them. */
export interface CustomerMediaRefs {
  /** Referenced only by the customer's conversations: deleted with the customer. */
  exclusive: string[];
  /** The same bytes are referenced by a message of another conversation of the tenant: kept. */
  shared: string[];
}

export interface CustomerExport {
  customer: CustomerDoc;
  conversations: ConversationDoc[];
  messages: MessageDoc[];
  /** Every stored attachment (inbound and outbound) of those messages, with where to download it. */
  media: CustomerMediaItem[];
  /** Emails and phones verified for this identity, and the workflows run in its conversations. */
  verifiedContacts: VerifiedContactDoc[];
  workflowRuns: WorkflowRunDoc[];
}

/** Placeholder left where an erased channel identity was (replies cannot reach it any more). */
export const ERASED_USER = 'erased';

export interface PrivacyRepository {
  /** Everything stored about one customer of a tenant; null when the tenant has no such customer. */
  export(tenantId: string, customerId: string): Promise<CustomerExport | null>;
  /**
   * The media-store ids referenced by the customer's conversations; null when there is no such
   * customer. Read before `erase`, which empties the messages' attachments (ADR 0424).
   */
  mediaOf(tenantId: string, customerId: string): Promise<CustomerMediaRefs | null>;
  /**
   * Erases the customer's identity and every message text, attachment and AI reading of their
   * conversations; `media` (the files the caller deleted from the media store) goes into the log.
   */
  erase(tenantId: string, customerId: string, requestedBy: string, at: Date, media?: PrivacyRequestDoc['media']): Promise<PrivacyRequestDoc | null>;
}

export function mediaItems(messages: MessageDoc[]): CustomerMediaItem[] {
  return messages.flatMap((m) => (m.attachments ?? []).flatMap((raw) => {
    const a = raw as { storeId?: unknown; kind?: string; mime?: string; size?: number; filename?: string };
    if (typeof a?.storeId !== 'string' || !/^[a-f0-9]{64}$/.test(a.storeId)) return [];
    return [{
      storeId: a.storeId, messageId: m._id, conversationId: m.conversationId, direction: m.direction,
      kind: a.kind, mime: a.mime, size: a.size, filename: a.filename, href: `/v1/media/${a.storeId}`,
    }];
  }));
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
    @InjectModel('VerifiedContact') private readonly contacts: Model<VerifiedContactDoc>,
    @InjectModel('CustomerLink') private readonly links: Model<CustomerLinkDoc>,
    @InjectModel('WorkflowRun') private readonly runs: Model<WorkflowRunDoc>,
    @InjectModel('ExperimentOutcome') private readonly outcomes: Model<ExperimentOutcomeDoc>,
    @InjectModel('ConversationRecent') private readonly recent: Model<ConversationRecentDoc>,
    @InjectModel('BotTurnPeriod') private readonly periods: Model<BotTurnPeriodDoc>,
    @InjectModel('NluDataset') private readonly datasets: Model<NluDatasetDoc>,
    @InjectModel('CustomerTier') private readonly tiers: Model<CustomerTierDoc>,
    @InjectModel('ConversationNote') private readonly notes: Model<ConversationNoteDoc>,
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
    const verifiedContacts = await this.contacts.find({ tenantId, customerId }).lean<VerifiedContactDoc[]>().exec();
    const workflowRuns = conversations.length === 0 ? [] : await this.runs.find({ tenantId, conversationId: { $in: conversations.map((c) => c._id) } }).lean<WorkflowRunDoc[]>().exec();
    return { customer, conversations, messages, media: mediaItems(messages), verifiedContacts, workflowRuns };
  }

  async mediaOf(tenantId: string, customerId: string): Promise<CustomerMediaRefs | null> {
    const customer = await this.customers.findOne({ _id: customerId, tenantId }, { _id: 1 }).lean<Pick<CustomerDoc, '_id'>>().exec();
    if (!customer) return null;
    const ids = (await this.conversations.find({ tenantId, customerId }, { _id: 1 }).lean<Pick<ConversationDoc, '_id'>[]>().exec()).map((c) => c._id);
    if (ids.length === 0) return { exclusive: [], shared: [] };
    const messages = await this.messages.find({ tenantId, conversationId: { $in: ids } }, { attachments: 1 }).lean<Pick<MessageDoc, 'attachments'>[]>().exec();
    // Another customer's identical photo (or an agent's brochure sent to others too) is the same file, not ours to delete.
    return splitFileReferences(this.messages, tenantId, messages, { conversationId: { $nin: ids } });
  }

  async erase(tenantId: string, customerId: string, requestedBy: string, at: Date, media?: PrivacyRequestDoc['media']): Promise<PrivacyRequestDoc | null> {
    const customer = await this.customers.findOne({ _id: customerId, tenantId }, { _id: 1 }).lean<Pick<CustomerDoc, '_id'>>().exec();
    if (!customer) return null;
    const subject = `erased-${randomUUID()}`;
    const conversations = await this.conversations.find({ tenantId, customerId }, { _id: 1, handoff: 1 }).lean<Pick<ConversationDoc, '_id' | 'handoff'>[]>().exec();
    const ids = conversations.map((c) => c._id);
    // Messages first: should the request fail half-way, a retry still finds the customer and goes on.
    const stored = ids.length === 0 ? [] : await this.messages.find({ tenantId, conversationId: { $in: ids } }, { _id: 1, author: 1, direction: 1 }).lean<Pick<MessageDoc, '_id' | 'author' | 'direction'>[]>().exec();
    const messages = { modifiedCount: await redactMessages(this.messages, tenantId, stored, at, subject) };
    const botTurns = ids.length === 0 ? { deletedCount: 0 } : await this.botTurns.deleteMany({ tenantId, conversationId: { $in: ids } });
    // Agents' internal notes on these conversations talk about the person (ADR 0700).
    const notes = ids.length === 0 ? 0 : (await this.notes.deleteMany({ tenantId, conversationId: { $in: ids } })).deletedCount;
    // The legacy AI-context copy of the last turns (written by older versions) holds message texts too.
    if (ids.length) {
      await this.recent.deleteMany({ tenantId, _id: { $in: ids } });
      await this.periods.deleteMany({ tenantId, conversationId: { $in: ids } });
    }
    for (const c of conversations) {
      // The agent summary quotes entities (order numbers, emails): keep only the reason codes for reports.
      const handoff = c.handoff ? { at: c.handoff.at, messageId: c.handoff.messageId, reasons: c.handoff.reasons.map((r) => ({ code: r.code, detail: '' })), summary: {} } : undefined;
      await this.conversations.updateOne(
        { _id: c._id, tenantId },
        { $set: { customerId: subject, channelUserId: ERASED_USER, erasedAt: at, ...(handoff ? { handoff } : {}) } },
      );
    }
    const related = { ...(await this.eraseRelated(tenantId, customerId, subject, ids)), trainingExamples: await this.eraseTrainingExamples(tenantId, ids, at) };
    const channel = await this.eraseChannelStores(ids, stored.filter((m) => m.direction === 'outbound').map((m) => m._id));
    const customers = await this.customers.deleteOne({ _id: customerId, tenantId });
    const tiers = (await this.tiers.deleteOne({ _id: customerId, tenantId })).deletedCount;
    const counts = { customers: customers.deletedCount, conversations: ids.length, messages: messages.modifiedCount, botTurns: botTurns.deletedCount };
    const until = new Date(at.getTime() + KAFKA_RETENTION_DAYS * 86_400_000);
    const stores: ErasureStoreEntry[] = [
      { store: 'customers', action: 'deleted', count: counts.customers },
      { store: 'conversations', action: 'detached', count: counts.conversations, note: 'customer id replaced by the tombstone, channel user id erased, agent summary cleared' },
      { store: 'messages', action: 'redacted', count: counts.messages, note: 'text, attachments, AI reading, author name and channel message id removed' },
      { store: 'bot_turns', action: 'deleted', count: counts.botTurns },
      { store: 'conversation_notes', action: 'deleted', count: notes, note: 'agents’ internal notes' },
      { store: 'customer_tiers', action: 'deleted', count: tiers, note: 'VIP flag and priority' },
      { store: 'verified_contacts', action: 'deleted', count: related.verifiedContacts },
      { store: 'customer_links', action: 'detached', count: related.customerLinks },
      { store: 'workflow_runs', action: 'deleted', count: related.workflowRuns },
      { store: 'experiment_outcomes', action: 'detached', count: related.experimentOutcomes },
      { store: 'nlu_datasets', action: 'deleted', count: related.trainingExamples, note: 'training examples taken from the conversations' },
      { store: 'media', action: 'deleted', count: media?.deleted ?? 0, ...(media?.shared ? { note: `${media.shared} file(s) kept: another conversation references the same bytes` } : {}) },
      { store: 'email_threads', action: 'deleted', count: channel.emailThreads },
      { store: 'web_sessions', action: 'deleted', count: channel.webSessions },
      { store: 'sends', action: 'redacted', count: channel.sends, note: "provider message ids and error texts removed; the claim stays so a redelivered command is not sent twice" },
      { store: 'send_outcomes', action: 'redacted', count: channel.sendOutcomes },
      { store: 'send_confirmations', action: 'redacted', count: channel.sendConfirmations, note: "the provider's message id removed; the record stays so a send of unknown outcome is not sent twice" },
      { store: 'nlu_predictions', action: 'none', note: 'intent, confidence and outcome per message: no text or identity' },
      await this.kafkaEntry(tenantId, ids, at, until),
    ];
    const doc: PrivacyRequestDoc = {
      _id: randomUUID(), tenantId, kind: 'erase', subject, requestedBy, at, counts, related,
      ...(media ? { media } : {}),
      stores,
    };
    await this.requests.create(doc);
    return doc;
  }

  /**
   * The channel apps' stores on the shared database (ADR 0424, 0501): the email channel's thread facts
   * (Message-IDs, subjects) and channel-web's session token hashes of these conversations are deleted;
   * the send ledgers keep each claim (a redelivered outbound command must still find it, or it would go
   * out twice) without the provider's message id (a WhatsApp wamid encodes the phone number) or the
   * error text (a bounce names the address).
   */
  private async eraseChannelStores(conversationIds: string[], outboundIds: string[]): Promise<{ emailThreads: number; webSessions: number; sends: number; sendOutcomes: number; sendConfirmations: number }> {
    const db = this.messages.db;
    const byConversation = { conversationId: { $in: conversationIds } };
    const { emailThreads, webSessions } = conversationIds.length === 0 ? { emailThreads: 0, webSessions: 0 }
      : await deleteChannelRecords(db, { emailThreads: byConversation, webSessions: byConversation });
    if (outboundIds.length === 0) return { emailThreads, webSessions, sends: 0, sendOutcomes: 0, sendConfirmations: 0 };
    const redact = { $unset: { providerMessageId: '', 'error.reason': '' } };
    const sends = (await db.collection('sends').updateMany({ _id: { $in: outboundIds as never[] } }, redact)).matchedCount;
    const sendOutcomes = (await db.collection('send_outcomes').updateMany({ _id: { $in: outboundIds as never[] } }, redact)).matchedCount;
    const sendConfirmations = (await db.collection('send_confirmations').updateMany({ _id: { $in: outboundIds as never[] } }, redact)).matchedCount;
    return { emailThreads, webSessions, sends, sendOutcomes, sendConfirmations };
  }

  /**
   * Kafka's line of the receipt (ADR 0501). For a tenant that opted in to crypto-shredding the
   * conversations' data keys are destroyed: every event of theirs that carries customer content (inbound
   * messages, AI requests, results and outcomes, outbound commands; SEALED_EVENT_TYPES), on its topic,
   * its retry topic and its dead letters, is sealed bytes nobody can open any more. What is not sealed
   * (conversation events and statuses: ids and states; events from before the opt-in) still leaves
   * with topic retention.
   */
  private async kafkaEntry(tenantId: string, conversationIds: string[], at: Date, until: Date): Promise<ErasureStoreEntry> {
    const db = this.messages.db;
    const keys = conversationIds.length === 0 ? 0 : (await db.collection('conversation_keys').deleteMany({ tenantId, conversationId: { $in: conversationIds } })).deletedCount;
    const tenant = await db.collection<{ _id: string; kafkaShredding?: boolean; kafkaShreddingSince?: Date }>('tenants').findOne({ _id: tenantId });
    const expires = `they leave the topics with their retention (${KAFKA_RETENTION_DAYS} days at most)`;
    if (!tenant?.kafkaShredding && keys === 0) return { store: 'kafka', action: 'expires', until, note: `events are immutable; ${expires}` };
    const since = tenant?.kafkaShreddingSince;
    const before = since && since.getTime() > at.getTime() - KAFKA_RETENTION_DAYS * 86_400_000 ? `; events from before the opt-in (${since.toISOString()}) are in clear and` : '';
    return {
      store: 'kafka', action: 'shredded', count: keys, until,
      note: `${keys} conversation data key(s) destroyed: inbound messages, AI requests, results and outcomes and outbound commands (with their retry and dead-letter topics) are unreadable${before}; conversation events and statuses (ids and states) are not sealed: ${expires}`,
    };
  }

  /**
   * Agents' corrections that became training examples keep their conversation (ADR 0104): they leave
   * every stored version of the tenant's NLU data, and when the latest held one, its scrubbed copy is
   * stored as the next version, which the AI workers retrain on at their next version check. A
   * correction a worker stores meanwhile from an older base is caught by the next pass. Returns how
   * many distinct examples went.
   */
  private async eraseTrainingExamples(tenantId: string, conversationIds: string[], at: Date): Promise<number> {
    if (conversationIds.length === 0) return 0;
    const erased = new Set(conversationIds);
    const gone = new Set<string>();
    for (let pass = 0; pass < 3; pass++) {
      const versions = await this.datasets.find({ tenantId, 'examples.conversationId': { $in: conversationIds } }).lean<NluDatasetDoc[]>().exec();
      if (versions.length === 0) break;
      let newestTouched = 0;
      for (const v of versions) {
        const kept = v.examples.filter((e) => !(e.conversationId && erased.has(e.conversationId)));
        if (kept.length === v.examples.length) continue;
        for (const e of v.examples) if (e.conversationId && erased.has(e.conversationId)) gone.add(`${e.label}\u0000${e.text}`);
        await this.datasets.updateOne({ _id: v._id, tenantId }, { $set: { examples: kept } }).exec();
        newestTouched = Math.max(newestTouched, v.version);
      }
      const latest = await this.datasets.findOne({ tenantId }).sort({ version: -1 }).lean<NluDatasetDoc>().exec();
      if (!latest || latest.version !== newestTouched) continue;
      const version = latest.version + 1;
      // Not stored: a worker stored that version first (from which base is unknown), so scrub again.
      if (await insertOnce(this.datasets, { ...latest, _id: `${tenantId}:${version}`, version, hash: datasetHash(latest), createdAt: at, createdBy: 'erasure' })) break;
    }
    return gone.size;
  }

  /**
   * Verified contacts and workflow runs (order numbers, the customer's words) are deleted; experiment
   * outcomes keep their numbers under the tombstone; the identity leaves its unified profile (ADR 0221):
   * identities linked under it move to its parent, or, if it was the root, under the smallest of them,
   * which keeps every link pointing to a smaller id.
   */
  private async eraseRelated(tenantId: string, customerId: string, subject: string, conversationIds: string[]): Promise<NonNullable<PrivacyRequestDoc['related']>> {
    const verifiedContacts = (await this.contacts.deleteMany({ tenantId, customerId })).deletedCount;
    const workflowRuns = conversationIds.length === 0 ? 0 : (await this.runs.deleteMany({ tenantId, conversationId: { $in: conversationIds } })).deletedCount;
    const experimentOutcomes = (await this.outcomes.updateMany({ tenantId, customerId }, { $set: { customerId: subject } })).modifiedCount;
    const own = await this.links.findOne({ _id: customerId, tenantId }).lean<CustomerLinkDoc>().exec();
    const children = await this.links.find({ tenantId, profileId: customerId }).sort({ _id: 1 }).lean<CustomerLinkDoc[]>().exec();
    const newRoot = own?.profileId ?? children[0]?._id;
    if (!own && children[0]) await this.links.deleteOne({ _id: children[0]._id });
    const moved = children.filter((c) => c._id !== newRoot);
    if (newRoot && moved.length > 0) await this.links.updateMany({ _id: { $in: moved.map((c) => c._id) } }, { $set: { profileId: newRoot } });
    if (own) await this.links.deleteOne({ _id: customerId });
    return { verifiedContacts, customerLinks: children.length + (own ? 1 : 0), workflowRuns, experimentOutcomes };
  }
}
