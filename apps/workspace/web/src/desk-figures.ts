import type { Conversation, Message, SkillGroup } from './api';

/** Pure figures of the desk (unit-tested without a browser). */
export interface Canned { shortcut: string; language: string; text: string }

/** Milliseconds left until the group's SLA is breached (negative: breached that long ago), or null without a wait. */
export function slaLeft(c: Pick<Conversation, 'state' | 'groupId' | 'firstQueuedAt' | 'since'>, groups: SkillGroup[], now: number): number | null {
  const since = c.firstQueuedAt ?? c.since;
  if (c.state !== 'queued' || !since) return null;
  const sla = groups.find((g) => g.id === c.groupId)?.slaSeconds ?? 300;
  return Date.parse(since) + sla * 1_000 - now;
}

type ResolutionFields = Pick<Conversation, 'state' | 'groupId' | 'firstQueuedAt' | 'since'> & { handoff?: { at: string } };

/**
 * When the resolution SLA's clock started: the handoff to people (a transfer does not restart it), else
 * the first time in this queue, else the assignment (an agent took it over from the bot). A handoff
 * older than the queueing belongs to this episode only when the conversation was queued since (a
 * takeover from the bot has no queue time and keeps no earlier handoff's clock).
 */
export function resolutionStartedAt(c: Pick<ResolutionFields, 'firstQueuedAt' | 'since' | 'handoff'>): number | null {
  const queued = c.firstQueuedAt ? Date.parse(c.firstQueuedAt) : null;
  const handoff = c.handoff ? Date.parse(c.handoff.at) : null;
  if (queued !== null) return handoff !== null && handoff <= queued ? handoff : queued;
  return c.since ? Date.parse(c.since) : null;
}

/** Milliseconds left until an assigned conversation breaches its group's resolution SLA (negative: that long ago), or null without a target. */
export function resolutionLeft(c: ResolutionFields, groups: SkillGroup[], now: number): number | null {
  const target = groups.find((g) => g.id === c.groupId)?.resolutionSeconds;
  const start = resolutionStartedAt(c);
  if (c.state !== 'assigned' || target === undefined || start === null) return null;
  return start + target * 1_000 - now;
}

type Queued = Pick<Conversation, '_id' | 'firstQueuedAt' | 'since' | 'lastMessageAt' | 'queue'>;

/**
 * The queue as the router serves it (libs/routing `compareQueueEntries`; a unit test holds the two
 * together): VIP first, then higher priority, then the longest waiting, then id.
 */
export function inServiceOrder<C extends Queued>(queued: readonly C[]): C[] {
  const age = (c: C) => Date.parse(c.queue?.firstQueuedAt ?? c.firstQueuedAt ?? c.since ?? c.lastMessageAt);
  return [...queued].sort((a, b) => {
    const [va, vb] = [a.queue?.vip === true, b.queue?.vip === true];
    if (va !== vb) return va ? -1 : 1;
    const pr = (b.queue?.priority ?? 0) - (a.queue?.priority ?? 0);
    if (pr !== 0) return pr;
    return age(a) - age(b) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
  });
}

/** Activity after the last time the agent had the conversation open (never opened: unread). */
export function unreadSince(lastMessageAt: string, seen: string | null): boolean {
  return !seen || Date.parse(lastMessageAt) > Date.parse(seen);
}

/** `/shortcut` typed at the end of the draft: the canned responses it may complete to. */
export function cannedMatches(draft: string, canned: Canned[]): { token: string; matches: Canned[] } {
  const token = /(?:^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(draft)?.[1];
  if (token === undefined) return { token: '', matches: [] };
  return { token, matches: canned.filter((c) => c.shortcut.startsWith(token)) };
}

/** The draft with its trailing `/token` replaced by the canned text. */
export function expandCanned(draft: string, token: string, c: Canned): string {
  return `${draft.slice(0, draft.length - token.length - 1)}${c.text}`;
}

/**
 * The history in the order the gateway stored it (createdAt, milliseconds), else by the message's
 * own time: providers stamp inbound messages in whole seconds (WhatsApp), so a customer's message
 * written just after an agent's reply would otherwise sort before it.
 */
export function inStoredOrder<M extends Pick<Message, 'timestamp' | 'createdAt'>>(messages: readonly M[]): M[] {
  const at = (m: M) => Date.parse(m.createdAt ?? m.timestamp);
  return [...messages].sort((a, b) => at(a) - at(b));
}
