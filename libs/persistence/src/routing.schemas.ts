import { Schema } from 'mongoose';
import { CONVERSATION_STATES } from '@omni/contracts';
import { QUEUE_STANDING_FIELDS, type QueueStanding } from './schemas';

/**
 * Routing collections. FerretDB 1.x applies an update as read-modify-write of the whole document
 * without isolation (measured: 100 concurrent $inc → 4; 20 racing compare-and-sets → up to 20
 * winners), so every decision that must have exactly one winner is an INSERT on a unique key,
 * which is atomic there and on MongoDB alike (docs/adr/0210-router-claims-on-unique-keys.md).
 */

/** One owner change of a conversation; `_id` = `<conversationId>:<version>` makes each version claimable once. */
export interface OwnershipClaimDoc {
  _id: string;
  tenantId: string;
  conversationId: string;
  version: number;
  state: (typeof CONVERSATION_STATES)[number];
  since: Date;
  groupId?: string;
  agentId?: string;
  firstQueuedAt?: Date;
  queueReason?: string;
  resolvedBy?: 'bot' | 'agent' | 'customer' | 'system';
  queue?: QueueStanding;
  routing?: { kind: string; groupId: string; agentId?: string; why: string[]; decidedAt: Date };
  handoff?: { at: Date; messageId: string; reasons: { code: string; detail: string }[]; summary: Record<string, unknown> };
  /** What caused it (an event id, an API request id): a retry of the same cause recognises its own claim. */
  cause: string;
  at: Date;
}

export const OwnershipClaimSchema = new Schema<OwnershipClaimDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    version: { type: Number, required: true },
    state: { type: String, enum: CONVERSATION_STATES, required: true },
    since: { type: Date, required: true },
    groupId: String,
    agentId: String,
    firstQueuedAt: Date,
    queueReason: String,
    resolvedBy: String,
    queue: { _id: false, type: QUEUE_STANDING_FIELDS },
    routing: { _id: false, type: { kind: String, groupId: String, agentId: String, why: [String], decidedAt: Date } },
    handoff: Schema.Types.Mixed,
    cause: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'conversation_ownership' },
);
// The current owner of a conversation: its entry with the highest version.
OwnershipClaimSchema.index({ conversationId: 1, version: -1 });

/** One bot turn; `_id` = the inbound message id, so a redelivered AI result records it once. */
export interface BotTurnDoc {
  _id: string;
  tenantId: string;
  conversationId: string;
  /** The ownership version the bot held: turns of an earlier bot period never count again. */
  ownerVersion: number;
  at: Date;
  customerText?: string;
  feedback?: 'up' | 'down';
  ai: {
    language: string;
    intent: { name: string; confidence: number } | null;
    entities: { type: string; value: string }[];
    sentiment?: { score: number; label: 'negative' | 'neutral' | 'positive'; escalate: boolean };
    answer: { text: string; articleId?: string } | null;
    abstained: boolean;
    handoff?: { reason: string };
  };
}

export const BotTurnSchema = new Schema<BotTurnDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    ownerVersion: { type: Number, required: true },
    at: { type: Date, required: true },
    customerText: String,
    feedback: String,
    ai: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, collection: 'bot_turns' },
);
// The recent turns of the bot's current period in a conversation (handoff streaks).
BotTurnSchema.index({ conversationId: 1, ownerVersion: 1, at: -1 });

/**
 * Legacy: the ids of one bot period's turns (`_id` = `<conversationId>:<ownerVersion>`), which older
 * versions kept so that the handoff rules read the last turns by key while the local store scanned
 * every query (ADR 0006). Nothing writes it any more (ADR 0011); erasure still deletes what exists.
 */
export interface BotTurnPeriodDoc {
  _id: string;
  tenantId: string;
  conversationId: string;
  ids: string[];
}

export const BotTurnPeriodSchema = new Schema<BotTurnPeriodDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    ids: { type: [String], default: [] },
  },
  { versionKey: false, collection: 'bot_turn_periods' },
);
// A conversation's periods (erasure of a customer).
BotTurnPeriodSchema.index({ tenantId: 1, conversationId: 1 });

export interface AgentDoc {
  _id: string;
  tenantId: string;
  name: string;
  groupIds: string[];
  languages: string[];
  maxConcurrent: number;
  presence: 'online' | 'away' | 'offline';
  lastAssignedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const AgentSchema = new Schema<AgentDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    name: { type: String, required: true },
    groupIds: { type: [String], default: [] },
    languages: { type: [String], default: [] },
    maxConcurrent: { type: Number, required: true },
    presence: { type: String, enum: ['online', 'away', 'offline'], required: true },
    lastAssignedAt: Date,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'agents' },
);
// A tenant's agents of a group (routing snapshot, agent API filters).
AgentSchema.index({ tenantId: 1, groupIds: 1 });

/**
 * One occupied slot of an agent's capacity; `_id` = `<agentId>:<slot>` with slot < maxConcurrent, so
 * capacity cannot be exceeded however many routers race: there are only that many ids to insert.
 */
export interface AgentSlotDoc {
  _id: string;
  tenantId: string;
  agentId: string;
  slot: number;
  conversationId: string;
  since: Date;
}

export const AgentSlotSchema = new Schema<AgentSlotDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    agentId: { type: String, required: true },
    slot: { type: Number, required: true },
    conversationId: { type: String, required: true },
    since: { type: Date, required: true },
  },
  { versionKey: false, collection: 'agent_slots' },
);
// One slot per (agent, conversation): a retried reservation finds its own slot instead of taking a second one.
AgentSlotSchema.index({ agentId: 1, conversationId: 1 }, { unique: true });
// Load of all agents of a tenant in one query (routing snapshot).
AgentSlotSchema.index({ tenantId: 1, agentId: 1 });
// The sweeper's scan for old reservations that never became an assignment.
AgentSlotSchema.index({ since: 1 });

export interface SkillGroupDoc {
  /** `<tenantId>:<groupId>`. */
  _id: string;
  tenantId: string;
  groupId: string;
  /** The tenant's order: ties in routing go to the first group. */
  order: number;
  /** The SkillGroup of @omni/routing (validated by its schema when loaded). */
  config: Record<string, unknown>;
  updatedAt: Date;
}

export const SkillGroupDocSchema = new Schema<SkillGroupDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    groupId: { type: String, required: true },
    order: { type: Number, required: true },
    config: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'skill_groups' },
);
// A tenant's groups in configured order (routing snapshot, skill-group API).
SkillGroupDocSchema.index({ tenantId: 1, order: 1 });
// One group per id within a tenant.
SkillGroupDocSchema.index({ tenantId: 1, groupId: 1 }, { unique: true });

/** An API key of a tenant, stored only as its SHA-256 (the key itself is never stored or logged). */
export const API_KEY_ROLES = ['admin', 'supervisor', 'agent', 'service'] as const;

export interface ApiKeyDoc {
  /** Hex SHA-256 of the key: the lookup of every authenticated request (the key itself is never stored). */
  _id: string;
  /** Public id: listing and revoking name the key by it (keys stored before it existed have none). */
  keyId?: string;
  tenantId: string;
  name: string;
  role: (typeof API_KEY_ROLES)[number];
  /** The agent this key acts as (the acting agent comes from the credential, never from a body). */
  agentId?: string;
  /** After this instant the key is refused. */
  expiresAt?: Date;
  createdAt: Date;
}

export const ApiKeySchema = new Schema<ApiKeyDoc>(
  {
    _id: { type: String, required: true },
    keyId: String,
    tenantId: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, enum: API_KEY_ROLES, required: true },
    agentId: String,
    expiresAt: Date,
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'api_keys' },
);
// A tenant's keys (key management listing, revoking by keyId within the tenant).
ApiKeySchema.index({ tenantId: 1, keyId: 1 });
