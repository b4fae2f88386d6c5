import type { ConversationDoc, CustomerDoc, MessageDoc, StatusEntry, TenantDoc } from './schemas';

/** Repository ports: use cases depend on these, tests fake them (STYLE.md §3). */
export interface CustomerRepository {
  /** Creates or refreshes the customer of a channel identity; returns its id. */
  upsert(c: Omit<CustomerDoc, '_id' | 'createdAt' | 'lastSeenAt'>, at: Date): Promise<string>;
  get(tenantId: string, id: string): Promise<CustomerDoc | null>;
  getMany(tenantId: string, ids: readonly string[]): Promise<CustomerDoc[]>;
  /**
   * A tenant's customers matching what a person typed: the id itself, a channel identity (phone,
   * email, user id) starting with it, or a display name containing it (case-insensitive); most
   * recently seen first.
   */
  search(tenantId: string, text: string, limit: number): Promise<CustomerDoc[]>;
}

export interface ConversationRepository {
  /**
   * Opens the conversation (state bot) or records new activity; `created` tells which. `restored`:
   * the customer had been erased and wrote again, so the conversation took their identity back.
   */
  /**
   * Opens the conversation or touches it. An inbound message to an erased conversation restores the
   * identity (`restored`) when it was written after the erasure; one written before it (`erased`: a
   * redelivery or replay from Kafka) restores nothing and must not be stored.
   */
  openOrTouch(c: Omit<ConversationDoc, 'createdAt' | 'updatedAt' | 'version' | 'state' | 'lastMessageAt'>, at: Date, inbound: boolean): Promise<{ conversation: ConversationDoc; created: boolean; restored?: boolean; erased?: boolean }>;
  get(id: string): Promise<ConversationDoc | null>;
  setLanguage(id: string, language: string): Promise<void>;
  /** Someone other than the reply step changed the conversation's bot turns (a 👍/👎): `turnsEpoch` + 1. */
  turnsChanged(id: string): Promise<void>;
  /** Copies an ownership entry onto the conversation unless a newer one is there; returns the stored doc. */
  applyOwnership(id: string, version: number, set: Partial<ConversationDoc>, unset?: readonly (keyof ConversationDoc)[]): Promise<ConversationDoc | null>;
  /** Waiting conversations (all tenants, or one) in service order, as last copied from the ownership log; without handoff/routing details. */
  queued(limit: number, tenantId?: string, groupId?: string): Promise<ConversationDoc[]>;
  countQueued(tenantId: string, groupId: string): Promise<number>;
  /** The customer's rating after resolution (one field: a racing write can only delay it, see ADR 0210). */
  recordCsat(id: string, score: number, at: Date): Promise<void>;
  /** The agent inbox: a tenant's conversations, newest activity first. */
  list(tenantId: string, filter: { state?: ConversationDoc['state']; groupId?: string; agentId?: string; channel?: string }, limit: number): Promise<ConversationDoc[]>;
  /** Reports: conversations opened in [from, to), oldest first, without the agent-facing details. */
  openedBetween(tenantId: string, from: Date, to: Date, filter: { channel?: string }, limit: number): Promise<ConversationDoc[]>;
  /** Conversations the bot owns (as last copied) with no message since `before`, oldest activity first. */
  idleInBot(before: Date, limit: number): Promise<ConversationDoc[]>;
  /** Unified history: the conversations of some channel identities, oldest first. */
  ofCustomers(tenantId: string, customerIds: readonly string[], limit: number): Promise<ConversationDoc[]>;
  /** The ids of some channel identities' latest conversations, newest activity first. */
  recentIdsOfCustomers(tenantId: string, customerIds: readonly string[], limit: number): Promise<string[]>;
}

export interface MessageRepository {
  /** Inserts once; a redelivery returns the stored message with created=false. */
  insert(m: Omit<MessageDoc, 'statusRank' | 'statusHistory' | 'createdAt'>): Promise<{ message: MessageDoc; created: boolean }>;
  get(id: string): Promise<MessageDoc | null>;
  attachAi(id: string, ai: Record<string, unknown>): Promise<void>;
  /**
   * Moves the delivery status forward only (sent → delivered → read; failed terminal): `moved` when it
   * moved — or, where concurrent updates went out as one batch whose count cannot tell, when the message
   * is now at this status or later; `stale` when nothing moved (a repeated or late status of a stored
   * message); `missing` when no such message is stored (yet).
   */
  applyStatus(id: string, entry: StatusEntry, providerMessageId?: string): Promise<StatusApplied>;
  history(conversationId: string, limit: number): Promise<MessageDoc[]>;
  /**
   * The outbound message of this conversation a customer's reaction names: by the provider's id (a
   * status folded it in), else by our id or channel id (channels that show customers our ids).
   */
  reactedTo(conversationId: string, targetMessageId: string): Promise<MessageDoc | null>;
  /** Reports: the bot's and agents' messages to customers in these conversations (id, author, time only). */
  responsesOf(conversationIds: readonly string[]): Promise<Pick<MessageDoc, 'conversationId' | 'author' | 'timestamp'>[]>;
  /** Unified history: the messages of several conversations, oldest first (the first `limit`). */
  ofConversations(conversationIds: readonly string[], limit: number): Promise<MessageDoc[]>;
}

export interface TenantRepository {
  get(id: string): Promise<TenantDoc | null>;
  /** Creates or replaces the given fields of a tenant's settings. */
  save(t: Omit<TenantDoc, 'createdAt' | 'updatedAt'>): Promise<void>;
}

export const TENANT_REPOSITORY = Symbol('TenantRepository');
export const CUSTOMER_REPOSITORY = Symbol('CustomerRepository');
export const CONVERSATION_REPOSITORY = Symbol('ConversationRepository');
export const MESSAGE_REPOSITORY = Symbol('MessageRepository');

/** What became of a delivery status (`MessageRepository.applyStatus`). */
export type StatusApplied = 'moved' | 'stale' | 'missing';
