import { OmniError, type ConversationState } from '@omni/contracts';

/**
 * Who owns a conversation. One variant per state, so "exactly one owner" holds by construction:
 * the bot, a group's queue, one agent, or nobody once resolved. `version` grows on every change of
 * owner; the router's conditional writes compare it (see docs/adr/0200-routing-policy.md).
 */
export type Ownership =
  | { readonly state: 'bot'; readonly version: number; readonly since: Date }
  /** `since` = entered the current group's queue (its SLA clock); `firstQueuedAt` = queue age across overflows. */
  | { readonly state: 'queued'; readonly version: number; readonly since: Date; readonly firstQueuedAt: Date; readonly groupId: string; readonly reason: string }
  | { readonly state: 'assigned'; readonly version: number; readonly since: Date; readonly agentId: string; readonly groupId: string }
  | { readonly state: 'resolved'; readonly version: number; readonly since: Date; readonly resolvedBy: Resolver; readonly agentId?: string };

export type Resolver = 'bot' | 'agent' | 'customer' | 'system';

export type Owner =
  | { readonly kind: 'bot' }
  | { readonly kind: 'queue'; readonly groupId: string }
  | { readonly kind: 'agent'; readonly agentId: string }
  | { readonly kind: 'none' };

export type OwnershipEvent =
  | { readonly type: 'customer_message'; readonly at: Date }
  | { readonly type: 'bot_answered'; readonly at: Date }
  | { readonly type: 'handoff_requested'; readonly at: Date; readonly reason: string; readonly groupId: string }
  | { readonly type: 'agent_assigned'; readonly at: Date; readonly agentId: string; readonly groupId: string }
  /** Without `toAgentId` the conversation goes back to the queue of `toGroupId`. */
  | { readonly type: 'agent_transferred'; readonly at: Date; readonly toGroupId: string; readonly toAgentId?: string; readonly reason: string }
  | { readonly type: 'queue_overflowed'; readonly at: Date; readonly toGroupId: string; readonly reason: string }
  /** The agent returns the conversation to the bot without resolving it. */
  | { readonly type: 'handed_back'; readonly at: Date }
  | { readonly type: 'resolved'; readonly at: Date; readonly by: Resolver }
  | { readonly type: 'reopened'; readonly at: Date }
  /** A reply to the CSAT prompt (see parseCsatReply): recorded without reopening the conversation. */
  | { readonly type: 'csat_received'; readonly at: Date; readonly score: number };

export type OwnershipEventType = OwnershipEvent['type'];

/** What the router must do after persisting the new state; the order is the order to apply them in. */
export type Effect =
  | { readonly type: 'request_ai' }
  | { readonly type: 'send_bot_answer' }
  | { readonly type: 'forward_to_agent'; readonly agentId: string }
  | { readonly type: 'hold_in_queue'; readonly groupId: string }
  | { readonly type: 'enqueue'; readonly groupId: string }
  | { readonly type: 'dequeue'; readonly groupId: string }
  | { readonly type: 'reserve_agent'; readonly agentId: string }
  | { readonly type: 'release_agent'; readonly agentId: string }
  | { readonly type: 'notify_agent'; readonly agentId: string }
  | { readonly type: 'ask_csat' }
  | { readonly type: 'record_csat'; readonly score: number }
  | { readonly type: 'owner_changed'; readonly from: ConversationState; readonly to: ConversationState; readonly reason: string };

export class IllegalTransitionError extends OmniError {
  constructor(
    readonly from: ConversationState,
    readonly event: OwnershipEventType,
    readonly why: string,
  ) {
    super('illegal_transition', `${event} is not allowed in state ${from}: ${why}`, false, { from, event });
  }
}

export type TransitionResult =
  | { readonly ok: true; readonly state: Ownership; readonly effects: readonly Effect[] }
  | { readonly ok: false; readonly error: IllegalTransitionError };

export function initialOwnership(at: Date): Ownership {
  return { state: 'bot', version: 0, since: at };
}

export function ownerOf(o: Ownership): Owner {
  switch (o.state) {
    case 'bot': return { kind: 'bot' };
    case 'queued': return { kind: 'queue', groupId: o.groupId };
    case 'assigned': return { kind: 'agent', agentId: o.agentId };
    case 'resolved': return { kind: 'none' };
  }
}

/** The single guard in front of every bot reply: a human (or the queue) owning it silences the bot. */
export function botMayAnswer(o: Ownership): boolean {
  return o.state === 'bot';
}

const ok = (state: Ownership, effects: Effect[]): TransitionResult => ({ ok: true, state, effects });
const no = (o: Ownership, e: OwnershipEvent, why: string): TransitionResult => ({
  ok: false,
  error: new IllegalTransitionError(o.state, e.type, why),
});
const changed = (from: Ownership, to: Ownership, reason: string): Effect => ({ type: 'owner_changed', from: from.state, to: to.state, reason });

/** Pure: the same (state, event) always gives the same result; the caller persists and applies effects. */
export function transition(o: Ownership, e: OwnershipEvent): TransitionResult {
  const v = o.version + 1;
  switch (e.type) {
    case 'customer_message':
      return onCustomerMessage(o, e.at);
    case 'bot_answered':
      return o.state === 'bot' ? ok(o, [{ type: 'send_bot_answer' }]) : no(o, e, 'the bot does not own the conversation');
    case 'handoff_requested': {
      if (o.state !== 'bot') return no(o, e, 'only a bot-owned conversation can be handed off');
      const next: Ownership = { state: 'queued', version: v, since: e.at, firstQueuedAt: e.at, groupId: e.groupId, reason: e.reason };
      return ok(next, [changed(o, next, e.reason), { type: 'enqueue', groupId: e.groupId }]);
    }
    case 'agent_assigned': {
      if (o.state !== 'bot' && o.state !== 'queued') return no(o, e, 'use agent_transferred to change agents; reopen a resolved one first');
      const next: Ownership = { state: 'assigned', version: v, since: e.at, agentId: e.agentId, groupId: e.groupId };
      const leaveQueue: Effect[] = o.state === 'queued' ? [{ type: 'dequeue', groupId: o.groupId }] : [];
      const reason = o.state === 'bot' ? `agent ${e.agentId} took over from the bot` : `assigned to agent ${e.agentId}`;
      return ok(next, [{ type: 'reserve_agent', agentId: e.agentId }, changed(o, next, reason), ...leaveQueue, { type: 'notify_agent', agentId: e.agentId }]);
    }
    case 'agent_transferred': {
      if (o.state !== 'assigned') return no(o, e, 'only an assigned conversation can be transferred');
      if (e.toAgentId === o.agentId) return no(o, e, 'the conversation is already with this agent');
      const release: Effect = { type: 'release_agent', agentId: o.agentId };
      if (e.toAgentId === undefined) {
        const next: Ownership = { state: 'queued', version: v, since: e.at, firstQueuedAt: e.at, groupId: e.toGroupId, reason: e.reason };
        return ok(next, [changed(o, next, e.reason), release, { type: 'enqueue', groupId: e.toGroupId }]);
      }
      const next: Ownership = { state: 'assigned', version: v, since: e.at, agentId: e.toAgentId, groupId: e.toGroupId };
      return ok(next, [
        { type: 'reserve_agent', agentId: e.toAgentId }, changed(o, next, e.reason), release, { type: 'notify_agent', agentId: e.toAgentId },
      ]);
    }
    case 'queue_overflowed': {
      if (o.state !== 'queued') return no(o, e, 'only a queued conversation can overflow');
      if (e.toGroupId === o.groupId) return no(o, e, 'the conversation is already in this group');
      const next: Ownership = { ...o, version: v, since: e.at, groupId: e.toGroupId, reason: e.reason };
      return ok(next, [changed(o, next, e.reason), { type: 'dequeue', groupId: o.groupId }, { type: 'enqueue', groupId: e.toGroupId }]);
    }
    case 'handed_back': {
      if (o.state !== 'assigned') return no(o, e, 'only an agent can hand a conversation back to the bot');
      const next: Ownership = { state: 'bot', version: v, since: e.at };
      return ok(next, [changed(o, next, `agent ${o.agentId} handed back to the bot`), { type: 'release_agent', agentId: o.agentId }]);
    }
    case 'resolved': {
      if (o.state === 'resolved') return no(o, e, 'already resolved');
      const agentId = o.state === 'assigned' ? o.agentId : undefined;
      const next: Ownership = { state: 'resolved', version: v, since: e.at, resolvedBy: e.by, ...(agentId ? { agentId } : {}) };
      const effects: Effect[] = [changed(o, next, `resolved by ${e.by}`)];
      if (o.state === 'assigned') effects.push({ type: 'release_agent', agentId: o.agentId });
      if (o.state === 'queued') effects.push({ type: 'dequeue', groupId: o.groupId });
      // Nobody served a conversation abandoned in the queue, so there is nothing to rate.
      if (o.state !== 'queued') effects.push({ type: 'ask_csat' });
      return ok(next, effects);
    }
    case 'reopened': {
      if (o.state !== 'resolved') return no(o, e, 'only a resolved conversation can be reopened');
      const next: Ownership = { state: 'bot', version: v, since: e.at };
      return ok(next, [changed(o, next, 'reopened')]);
    }
    case 'csat_received':
      return o.state === 'resolved' ? ok(o, [{ type: 'record_csat', score: e.score }]) : no(o, e, 'CSAT is asked only after resolution');
  }
  return assertNever(e);
}

function onCustomerMessage(o: Ownership, at: Date): TransitionResult {
  switch (o.state) {
    case 'bot': return ok(o, [{ type: 'request_ai' }]);
    case 'queued': return ok(o, [{ type: 'hold_in_queue', groupId: o.groupId }]);
    case 'assigned': return ok(o, [{ type: 'forward_to_agent', agentId: o.agentId }]);
    case 'resolved': {
      const next: Ownership = { state: 'bot', version: o.version + 1, since: at };
      return ok(next, [changed(o, next, 'customer wrote after resolution'), { type: 'request_ai' }]);
    }
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled ownership event ${JSON.stringify(x)}`);
}
