import { resolutionStartedAt } from './desk-figures';

/** The fields of the router's conversations and agents the figures read (DOM-free: unit-tested under Node). */
interface Conversation {
  channel: string; language?: string; agentId?: string; groupId?: string; firstQueuedAt?: string; since?: string; lastMessageAt: string; handoff?: { at: string };
}
interface Agent { _id: string; name: string; presence: 'online' | 'away' | 'offline'; maxConcurrent: number }

export interface QueueRow { key: string; size: number; longestWaitMs: number; breaches: number }
/** A group's first-response SLA in seconds (the router's default when the group names none). */
export type SlaOf = (groupId: string | undefined) => number;
export const DEFAULT_SLA_SECONDS = 300;
export interface AgentRow { id: string; name: string; presence: Agent['presence']; active: number; max: number }

/**
 * Queue sizes, longest wait and SLA breaches (waiting longer than the group's first-response SLA) per
 * key (channel or language), largest queue first.
 */
export function queueRows(queued: readonly Conversation[], keyOf: (c: Conversation) => string, now: number, slaOf: SlaOf = () => DEFAULT_SLA_SECONDS): QueueRow[] {
  const rows = new Map<string, QueueRow>();
  for (const c of queued) {
    const key = keyOf(c);
    const waited = now - Date.parse(c.firstQueuedAt ?? c.since ?? c.lastMessageAt);
    const row = rows.get(key) ?? { key, size: 0, longestWaitMs: 0, breaches: 0 };
    rows.set(key, { key, size: row.size + 1, longestWaitMs: Math.max(row.longestWaitMs, waited), breaches: row.breaches + (waited > slaOf(c.groupId) * 1_000 ? 1 : 0) });
  }
  return [...rows.values()].sort((a, b) => b.size - a.size || a.key.localeCompare(b.key));
}

/** A group's resolution SLA in seconds, if it has one (its own or the tenant's `sla.resolutionSeconds`). */
export type ResolutionOf = (groupId: string | undefined) => number | undefined;

/**
 * Conversations with people (queued or assigned) past their group's resolution SLA, counted from the
 * handoff (`resolutionStartedAt`): the wallboard's resolution breaches, per key (channel or language).
 */
export function resolutionBreaches(open: readonly Conversation[], keyOf: (c: Conversation) => string, now: number, resolutionOf: ResolutionOf): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of open) {
    const target = resolutionOf(c.groupId);
    const start = resolutionStartedAt(c);
    if (target === undefined || start === null || now - start <= target * 1_000) continue;
    out.set(keyOf(c), (out.get(keyOf(c)) ?? 0) + 1);
  }
  return out;
}

/** Each agent's presence and load (assigned conversations of its own / its maximum). */
export function agentRows(agents: readonly Agent[], assigned: readonly Conversation[]): AgentRow[] {
  const load = new Map<string, number>();
  for (const c of assigned) if (c.agentId) load.set(c.agentId, (load.get(c.agentId) ?? 0) + 1);
  return agents.map((a) => ({ id: a._id, name: a.name, presence: a.presence, active: load.get(a._id) ?? 0, max: a.maxConcurrent }));
}
