import { Schema } from 'mongoose';
import { DELIVERY_STATES, CONVERSATION_STATES } from '@omni/contracts';

/**
 * Collections of the gateway. Duplicate-safe writes rely on these unique indexes (STYLE.md §6):
 * writers insert and catch E11000 instead of looking up first. Each index names the query it serves.
 */

export interface CustomerDoc {
  _id: string;
  tenantId: string;
  channel: string;
  accountId: string;
  channelUserId: string;
  displayName?: string;
  locale?: string;
  language?: string;
  createdAt: Date;
  lastSeenAt: Date;
}

export const CustomerSchema = new Schema<CustomerDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    channelUserId: { type: String, required: true },
    displayName: String,
    locale: String,
    language: String,
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'customers' },
);
// One customer per channel identity: upsert of the sender of every inbound message.
CustomerSchema.index({ tenantId: 1, channel: 1, accountId: 1, channelUserId: 1 }, { unique: true });

/**
 * How a waiting conversation is served: VIP first, then priority, then age (libs/routing); and the
 * agent who last served the customer (any channel of the profile), preferred for a while (sticky).
 * Written with the handoff or transfer that queued it, so the dispatcher reads no customer data.
 */
export interface QueueStanding {
  vip: boolean;
  priority: number;
  firstQueuedAt: Date;
  lastAgentId?: string;
  lastAgentAt?: Date;
}
export const QUEUE_STANDING_FIELDS = { vip: Boolean, priority: Number, firstQueuedAt: Date, lastAgentId: String, lastAgentAt: Date };

export interface ConversationDoc {
  _id: string;
  tenantId: string;
  region: string;
  channel: string;
  accountId: string;
  customerId: string;
  channelUserId: string;
  state: (typeof CONVERSATION_STATES)[number];
  language?: string;
  lastInboundAt?: Date;
  lastMessageAt: Date;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic concurrency for state changes (two routers never both win). */
  version: number;
  /**
   * Ownership (docs/adr/0200), a copy of the latest entry of conversation_ownership for list queries;
   * that collection is the truth (see routing.schemas.ts for why).
   */
  since?: Date;
  groupId?: string;
  agentId?: string;
  firstQueuedAt?: Date;
  queueReason?: string;
  resolvedBy?: 'bot' | 'agent' | 'customer' | 'system';
  /** Service order in a group's queue (VIP, priority, age) and the customer's last agent; absent unless queued. */
  queue?: QueueStanding;
  /** Why the last routing decision was taken (explainable routing). */
  routing?: { kind: string; groupId: string; agentId?: string; why: string[]; decidedAt: Date };
  handoff?: { at: Date; messageId: string; reasons: { code: string; detail: string }[]; summary: Record<string, unknown> };
  csat?: { askedAt?: Date; score?: number; at?: Date };
  /** Flow variants assigned when the conversation opened (written with the insert, never recomputed). */
  experiments?: ConversationExperiment[];
  /**
   * When a data-subject erasure (or retention) detached the customer: an inbound event written before
   * it — a redelivery, a retry, a dead letter replayed from Kafka — must not bring them back (ADR 0501).
   */
  erasedAt?: Date;
  /**
   * Counts changes to the conversation's bot turns made outside the router's reply step (a customer's
   * 👍/👎 on an answer, an erased customer's return): the reply step's copy of the recent turns is
   * used only while it is at the count the AI request carried (ADR 0011, seventh step).
   */
  turnsEpoch?: number;
}

export interface ConversationExperiment {
  experimentId: string;
  variantId: string;
  params: { handoffThreshold?: number; greeting?: Record<string, string>; replyStyle?: 'buttons' | 'free_text' };
}

export const ConversationSchema = new Schema<ConversationDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    region: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    customerId: { type: String, required: true },
    channelUserId: { type: String, required: true },
    state: { type: String, enum: CONVERSATION_STATES, required: true },
    language: String,
    lastInboundAt: Date,
    lastMessageAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true, default: 0 },
    since: Date,
    groupId: String,
    agentId: String,
    firstQueuedAt: Date,
    queueReason: String,
    resolvedBy: String,
    queue: { _id: false, type: QUEUE_STANDING_FIELDS },
    routing: { _id: false, type: { kind: String, groupId: String, agentId: String, why: [String], decidedAt: Date } },
    handoff: Schema.Types.Mixed,
    csat: { _id: false, type: { askedAt: Date, score: Number, at: Date } },
    experiments: { type: [Schema.Types.Mixed], default: undefined },
    erasedAt: Date,
    turnsEpoch: Number,
  },
  { versionKey: false, collection: 'conversations' },
);
// Agent inbox: a tenant's conversations in a state, newest activity first.
ConversationSchema.index({ tenantId: 1, state: 1, lastMessageAt: -1 });
// A customer's conversations across channels (unified history).
ConversationSchema.index({ tenantId: 1, customerId: 1 });
// The idle resolver: conversations the bot still owns, by last activity (across tenants).
ConversationSchema.index({ state: 1, lastMessageAt: 1 });
// Reports: a tenant's conversations opened in a time range.
ConversationSchema.index({ tenantId: 1, createdAt: 1 });
// A group's waiting conversations in service order (VIP, priority, age): the queue context of decide().
ConversationSchema.index({ tenantId: 1, state: 1, groupId: 1, 'queue.vip': -1, 'queue.priority': -1, 'queue.firstQueuedAt': 1 });
// An agent's conversations (inbox "mine", capacity repair by the sweeper).
ConversationSchema.index({ tenantId: 1, agentId: 1, state: 1 });

export interface StatusEntry {
  status: (typeof DELIVERY_STATES)[number];
  at: Date;
  error?: { code: string; reason: string };
}

export interface MessageDoc {
  /** Inbound: the event's deterministic ce_id. Outbound: the command's messageId (idempotency key). */
  _id: string;
  tenantId: string;
  conversationId: string;
  channel: string;
  accountId: string;
  /**
   * Inbound: the provider's message id. Outbound: our messageId until the provider's id is known
   * (kept in providerMessageId) — FerretDB has no partial indexes, so the unique key is always set.
   */
  channelMessageId: string;
  providerMessageId?: string;
  direction: 'inbound' | 'outbound';
  author: { kind: 'customer' | 'bot' | 'agent' | 'system'; id?: string; name?: string };
  type: string;
  text?: string;
  attachments: unknown[];
  replyToMessageId?: string;
  timestamp: Date;
  createdAt: Date;
  status?: (typeof DELIVERY_STATES)[number];
  statusRank: number;
  statusHistory: StatusEntry[];
  ai?: Record<string, unknown>;
  /**
   * Inbound email only: the channel found an aligned DMARC pass for this mail's From (ADR 0425). Its
   * customer id is the sender's address, which anyone can type, so whether *this* message proves the
   * address is per message: workflows act for the customer only when it is true (ADR 0226).
   */
  senderVerified?: boolean;
  /** Set when a data-subject erasure removed text, attachments and AI reading (privacy.repository.ts). */
  redactedAt?: Date;
  /** Outbound, paired tenants: the tenant's region-directory epoch when this region decided the send (ADR 0300). */
  regionEpoch?: number;
}

export const MessageSchema = new Schema<MessageDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    channelMessageId: { type: String, required: true },
    providerMessageId: String,
    direction: { type: String, enum: ['inbound', 'outbound'], required: true },
    author: { kind: { type: String, required: true }, id: String, name: String },
    type: { type: String, required: true },
    text: String,
    attachments: { type: [Schema.Types.Mixed], default: [] },
    replyToMessageId: String,
    timestamp: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    status: { type: String, enum: DELIVERY_STATES },
    statusRank: { type: Number, default: 0 },
    statusHistory: { type: [{ _id: false, status: String, at: Date, error: { code: String, reason: String } }], default: [] },
    ai: Schema.Types.Mixed,
    senderVerified: Boolean,
    redactedAt: Date,
    regionEpoch: Number,
  },
  { versionKey: false, collection: 'messages' },
);
// Dedupe of provider redeliveries: one stored message per channel message id (STYLE.md §6).
MessageSchema.index({ tenantId: 1, channel: 1, accountId: 1, channelMessageId: 1 }, { unique: true });
// A conversation's history in order (web widget reload, agent view, AI context).
MessageSchema.index({ conversationId: 1, timestamp: 1 });
// Status webhooks name the provider's id of an outbound message.
MessageSchema.index({ tenantId: 1, channel: 1, providerMessageId: 1 });
// Erasure: does a message outside the erased conversations reference the same stored file (ADR 0424).
MessageSchema.index({ tenantId: 1, 'attachments.storeId': 1 });

/** Per-tenant settings the router reads: handoff policy and routing options (parsed by @omni/routing). */
export interface TenantDoc {
  _id: string;
  name?: string;
  /** Data residency: the region whose stack serves the tenant (ADR 0300). */
  homeRegion?: string;
  /** BCP 47 tags the tenant serves, first = default. */
  languages?: string[];
  /** IANA time zone (business hours, reports). */
  timeZone?: string;
  /**
   * What the bot does while the tenant has no NLU data of its own (issue 12 #7): hand the
   * conversation to a person (default), or answer a neutral message in the customer's language.
   */
  nluFallback?: NluFallback;
  handoffPolicy?: Record<string, unknown>;
  routingOptions?: { stickyDays?: number; averageHandleSeconds?: number };
  /** Intents that never count as a repeated intent in the handoff rules (default: greetings, thanks). */
  smallTalkIntents?: string[];
  /** Automation workflows: connector base URL and intent rules (parsed by the router; see ADR 0220). */
  workflows?: Record<string, unknown>;
  /** How long each kind of personal data is kept, in days (parsed by the router's retention purge; ADR 0501). */
  retention?: Record<string, unknown>;
  /**
   * Crypto-shredding opt-in (ADR 0501): the personal data of this tenant's inbound message events is
   * sealed on Kafka with a key per conversation, destroyed on erasure. Off by default (events in clear, ★).
   */
  kafkaShredding?: boolean;
  /** When it was last turned on: events before it are in clear until topic retention. */
  kafkaShreddingSince?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const NLU_FALLBACKS = ['handoff', 'message'] as const;
export type NluFallback = (typeof NLU_FALLBACKS)[number];

export const TenantSchema = new Schema<TenantDoc>(
  {
    _id: { type: String, required: true },
    name: String,
    homeRegion: String,
    languages: { type: [String], default: undefined },
    timeZone: String,
    nluFallback: { type: String, enum: NLU_FALLBACKS },
    handoffPolicy: Schema.Types.Mixed,
    routingOptions: { _id: false, type: { stickyDays: Number, averageHandleSeconds: Number } },
    smallTalkIntents: { type: [String], default: undefined },
    workflows: Schema.Types.Mixed,
    retention: Schema.Types.Mixed,
    kafkaShredding: Boolean,
    kafkaShreddingSince: Date,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'tenants' },
);
// Only lookups by _id (the tenant id): no secondary index.
