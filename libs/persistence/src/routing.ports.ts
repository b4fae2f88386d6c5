import type { AgentDoc, AgentSlotDoc, ApiKeyDoc, BotTurnDoc, OwnershipClaimDoc, SkillGroupDoc } from './routing.schemas';

export interface OwnershipRepository {
  /** Inserts the entry of `version`; false when that version was already claimed (by anyone). */
  claim(entry: OwnershipClaimDoc): Promise<boolean>;
  latest(conversationId: string): Promise<OwnershipClaimDoc | null>;
  get(conversationId: string, version: number): Promise<OwnershipClaimDoc | null>;
  /** Every owner change of these conversations, by conversation and version (reports, outcomes). */
  ofConversations(conversationIds: readonly string[]): Promise<OwnershipClaimDoc[]>;
  /** The newest assignment to an agent among these conversations (sticky routing), or null. */
  lastAssigned(conversationIds: readonly string[]): Promise<OwnershipClaimDoc | null>;
}

export interface BotTurnRepository {
  /** Records a turn once (by its message id); false when it was already there. */
  record(turn: BotTurnDoc): Promise<boolean>;
  /** The last `limit` turns of one bot period, oldest first. */
  recent(conversationId: string, ownerVersion: number, limit: number): Promise<BotTurnDoc[]>;
  /** The customer's verdict on the answer to this turn (a reaction): the last one wins; false when there is no such turn. */
  setFeedback(tenantId: string, id: string, feedback: 'up' | 'down'): Promise<boolean>;
}

export type Reservation = 'reserved' | 'already_held' | 'full';

export interface AgentRepository {
  save(agent: Omit<AgentDoc, 'createdAt' | 'updatedAt'>): Promise<void>;
  get(tenantId: string, id: string): Promise<AgentDoc | null>;
  /** Across tenants: agent ids are global keys (slots use them). */
  getAny(id: string): Promise<AgentDoc | null>;
  list(tenantId: string, filter?: { groupId?: string; presence?: AgentDoc['presence'] }): Promise<AgentDoc[]>;
  setPresence(tenantId: string, id: string, presence: AgentDoc['presence']): Promise<AgentDoc | null>;
  markAssigned(id: string, at: Date): Promise<void>;
}

export interface AgentSlotRepository {
  /** Takes one of the agent's `maxConcurrent` slots for the conversation (see AgentSlotDoc). */
  reserve(tenantId: string, agentId: string, maxConcurrent: number, conversationId: string, at: Date): Promise<Reservation>;
  release(agentId: string, conversationId: string): Promise<boolean>;
  /** Occupied slots per agent of a tenant. */
  loads(tenantId: string): Promise<Map<string, number>>;
  held(agentId: string): Promise<string[]>;
  /** Slots taken before `before` (the sweeper's candidates for leaked reservations). */
  takenBefore(before: Date, limit: number): Promise<AgentSlotDoc[]>;
}

export interface SkillGroupRepository {
  /** Replaces the tenant's groups, in the given order. */
  replace(tenantId: string, groups: ReadonlyArray<{ id: string } & Record<string, unknown>>): Promise<void>;
  list(tenantId: string): Promise<SkillGroupDoc[]>;
}

export const OWNERSHIP_REPOSITORY = Symbol('OwnershipRepository');
export const BOT_TURN_REPOSITORY = Symbol('BotTurnRepository');
export const AGENT_REPOSITORY = Symbol('AgentRepository');
export const AGENT_SLOT_REPOSITORY = Symbol('AgentSlotRepository');
export const SKILL_GROUP_REPOSITORY = Symbol('SkillGroupRepository');

export interface ApiKeyRepository {
  /** By the key's SHA-256. */
  find(hash: string): Promise<ApiKeyDoc | null>;
  /** Idempotent: the same key saved twice stays one row. */
  save(key: Omit<ApiKeyDoc, 'createdAt'>): Promise<void>;
  /** A tenant's keys, newest first (the hashes stay inside the repository's callers). */
  list(tenantId: string): Promise<ApiKeyDoc[]>;
  /** Deletes the tenant's key of this public id; returns the deleted key's hash, or null when the tenant has none of that id. */
  revoke(tenantId: string, keyId: string): Promise<string | null>;
}

export const API_KEY_REPOSITORY = Symbol('ApiKeyRepository');
