import { botMayAnswer, initialOwnership, ownerOf, transition, type Ownership, type OwnershipEvent, type OwnershipEventType } from './ownership';

const t0 = new Date('2026-03-02T10:00:00Z');
const at = new Date('2026-03-02T10:05:00Z');

const states: Record<Ownership['state'], Ownership> = {
  bot: { state: 'bot', version: 3, since: t0 },
  queued: { state: 'queued', version: 3, since: t0, firstQueuedAt: t0, groupId: 'g-sales', reason: 'customer asked' },
  assigned: { state: 'assigned', version: 3, since: t0, agentId: 'a1', groupId: 'g-sales' },
  resolved: { state: 'resolved', version: 3, since: t0, resolvedBy: 'agent', agentId: 'a1' },
};

const events: Record<OwnershipEventType, OwnershipEvent> = {
  customer_message: { type: 'customer_message', at },
  bot_answered: { type: 'bot_answered', at },
  handoff_requested: { type: 'handoff_requested', at, reason: 'customer_requested', groupId: 'g-sales' },
  agent_assigned: { type: 'agent_assigned', at, agentId: 'a2', groupId: 'g-sales' },
  agent_transferred: { type: 'agent_transferred', at, toGroupId: 'g-billing', toAgentId: 'a2', reason: 'billing question' },
  queue_overflowed: { type: 'queue_overflowed', at, toGroupId: 'g-fallback', reason: 'SLA 300s exceeded' },
  handed_back: { type: 'handed_back', at },
  resolved: { type: 'resolved', at, by: 'agent' },
  reopened: { type: 'reopened', at },
  csat_received: { type: 'csat_received', at, score: 4 },
};

type Row = [Ownership['state'], OwnershipEventType, Ownership['state'] | 'illegal', string[]];

// Every (state, event) pair: 4 x 10 rows, so a new event or state cannot slip through untested.
const table: Row[] = [
  ['bot', 'customer_message', 'bot', ['request_ai']],
  ['bot', 'bot_answered', 'bot', ['send_bot_answer']],
  ['bot', 'handoff_requested', 'queued', ['owner_changed', 'enqueue']],
  ['bot', 'agent_assigned', 'assigned', ['reserve_agent', 'owner_changed', 'notify_agent']],
  ['bot', 'agent_transferred', 'illegal', []],
  ['bot', 'queue_overflowed', 'illegal', []],
  ['bot', 'handed_back', 'illegal', []],
  ['bot', 'resolved', 'resolved', ['owner_changed', 'ask_csat']],
  ['bot', 'reopened', 'illegal', []],
  ['bot', 'csat_received', 'illegal', []],

  ['queued', 'customer_message', 'queued', ['hold_in_queue']],
  ['queued', 'bot_answered', 'illegal', []],
  ['queued', 'handoff_requested', 'illegal', []],
  ['queued', 'agent_assigned', 'assigned', ['reserve_agent', 'owner_changed', 'dequeue', 'notify_agent']],
  ['queued', 'agent_transferred', 'illegal', []],
  ['queued', 'queue_overflowed', 'queued', ['owner_changed', 'dequeue', 'enqueue']],
  ['queued', 'handed_back', 'illegal', []],
  ['queued', 'resolved', 'resolved', ['owner_changed', 'dequeue']],
  ['queued', 'reopened', 'illegal', []],
  ['queued', 'csat_received', 'illegal', []],

  ['assigned', 'customer_message', 'assigned', ['forward_to_agent']],
  ['assigned', 'bot_answered', 'illegal', []],
  ['assigned', 'handoff_requested', 'illegal', []],
  ['assigned', 'agent_assigned', 'illegal', []],
  ['assigned', 'agent_transferred', 'assigned', ['reserve_agent', 'owner_changed', 'release_agent', 'notify_agent']],
  ['assigned', 'queue_overflowed', 'illegal', []],
  ['assigned', 'handed_back', 'bot', ['owner_changed', 'release_agent']],
  ['assigned', 'resolved', 'resolved', ['owner_changed', 'release_agent', 'ask_csat']],
  ['assigned', 'reopened', 'illegal', []],
  ['assigned', 'csat_received', 'illegal', []],

  ['resolved', 'customer_message', 'bot', ['owner_changed', 'request_ai']],
  ['resolved', 'bot_answered', 'illegal', []],
  ['resolved', 'handoff_requested', 'illegal', []],
  ['resolved', 'agent_assigned', 'illegal', []],
  ['resolved', 'agent_transferred', 'illegal', []],
  ['resolved', 'queue_overflowed', 'illegal', []],
  ['resolved', 'handed_back', 'illegal', []],
  ['resolved', 'resolved', 'illegal', []],
  ['resolved', 'reopened', 'bot', ['owner_changed']],
  ['resolved', 'csat_received', 'resolved', ['record_csat']],
];

describe('transition', () => {
  it('covers every state x event pair', () => {
    expect(table).toHaveLength(Object.keys(states).length * Object.keys(events).length);
    expect(new Set(table.map(([s, e]) => `${s}/${e}`)).size).toBe(table.length);
  });

  it.each(table)('%s + %s -> %s %j', (from, event, to, effects) => {
    const before = states[from];
    const result = transition(before, events[event]);
    if (to === 'illegal') {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('illegal_transition');
        expect(result.error.retryable).toBe(false);
        expect(result.error).toMatchObject({ from, event });
      }
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.state.state).toBe(to);
    expect(result.effects.map((e) => e.type)).toEqual(effects);
    const ownerChanged = effects.includes('owner_changed');
    // The version moves exactly when the owner does: conditional writes compare it.
    expect(result.state.version).toBe(ownerChanged ? before.version + 1 : before.version);
    if (ownerChanged) expect(result.state.since).toEqual(at);
  });

  it('moves the queue to the transfer group when no target agent is given', () => {
    const r = transition(states.assigned, { type: 'agent_transferred', at, toGroupId: 'g-billing', reason: 'needs billing' });
    expect(r).toMatchObject({ ok: true, state: { state: 'queued', groupId: 'g-billing', reason: 'needs billing' } });
    if (r.ok) expect(r.effects).toContainEqual({ type: 'release_agent', agentId: 'a1' });
  });

  it.each([
    ['a transfer to the same agent', states.assigned, { type: 'agent_transferred', at, toGroupId: 'g-sales', toAgentId: 'a1', reason: 'x' }],
    ['an overflow to the same group', states.queued, { type: 'queue_overflowed', at, toGroupId: 'g-sales', reason: 'x' }],
  ] as const)('rejects %s', (_name, state, event) => {
    expect(transition(state, event).ok).toBe(false);
  });

  it('keeps the queue age across an overflow but restarts the SLA clock', () => {
    const r = transition(states.queued, events.queue_overflowed);
    expect(r).toMatchObject({ ok: true, state: { groupId: 'g-fallback', since: at, firstQueuedAt: t0 } });
  });

  it('records who resolved and keeps the last agent for stickiness', () => {
    const r = transition(states.assigned, { type: 'resolved', at, by: 'agent' });
    expect(r).toMatchObject({ ok: true, state: { state: 'resolved', resolvedBy: 'agent', agentId: 'a1' } });
  });

  it('walks a whole life: bot -> queued -> assigned -> resolved -> bot', () => {
    let o = initialOwnership(t0);
    for (const e of [events.handoff_requested, events.agent_assigned, events.resolved, events.customer_message]) {
      const r = transition(o, e);
      if (!r.ok) throw r.error;
      o = r.state;
    }
    expect(o).toEqual({ state: 'bot', version: 4, since: at });
  });
});

describe('ownership', () => {
  it.each([
    ['bot', true, { kind: 'bot' }],
    ['queued', false, { kind: 'queue', groupId: 'g-sales' }],
    ['assigned', false, { kind: 'agent', agentId: 'a1' }],
    ['resolved', false, { kind: 'none' }],
  ] as const)('%s: botMayAnswer=%s, owner %j', (state, mayAnswer, owner) => {
    expect(botMayAnswer(states[state])).toBe(mayAnswer);
    expect(ownerOf(states[state])).toEqual(owner);
  });
});
