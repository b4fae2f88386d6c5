import type { ConversationDoc } from '@omni/persistence';
import { transition, type Ownership } from '@omni/routing';
import { ownershipFields, ownershipOf } from './ownership.mapper';

const at = new Date('2026-01-05T10:00:00Z');
const base: ConversationDoc = {
  _id: 'c1', tenantId: 't1', region: 'local', channel: 'web', accountId: 'a1', customerId: 'cu1', channelUserId: 'u1',
  state: 'bot', version: 0, lastMessageAt: at, createdAt: at, updatedAt: at,
};

/** Persisting a state and reading it back gives the same ownership, for every state the machine reaches. */
describe('ownership mapper', () => {
  const later = new Date(at.getTime() + 60_000);
  const queued = transition(ownershipOf(base, at), { type: 'handoff_requested', at: later, reason: 'unsatisfied_turns', groupId: 'g1' });
  const assigned = queued.ok ? transition(queued.state, { type: 'agent_assigned', at: later, agentId: 'ag1', groupId: 'g1' }) : queued;
  const resolved = assigned.ok ? transition(assigned.state, { type: 'resolved', at: later, by: 'agent' }) : assigned;
  const states: Ownership[] = [queued, assigned, resolved].map((r) => {
    if (!r.ok) throw r.error;
    return r.state;
  });

  it.each(states.map((s) => [s.state, s] as const))('round-trips %s', (_name, o) => {
    const { set, unset } = ownershipFields(o);
    const stored: ConversationDoc = { ...base, ...set, version: o.version };
    for (const k of unset) delete stored[k];
    expect(ownershipOf(stored, at)).toEqual(o);
  });

  it('reads a legacy conversation without ownership fields as the bot since its creation', () => {
    expect(ownershipOf(base, at)).toEqual({ state: 'bot', version: 0, since: at });
  });
});
