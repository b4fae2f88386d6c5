import type { ConversationEvent } from '@omni/contracts';
import type { AgentRepository, AgentSlotRepository, ConversationDoc, OwnershipClaimDoc, Reservation } from '@omni/persistence';
import { SkillGroupSchema, type Ownership } from '@omni/routing';
import type { ConversationEvents } from '../conversations/conversation-events';
import type { CustomerMessages, OutgoingText } from '../conversations/customer-messages';
import type { OwnershipStore } from '../conversations/ownership.store';
import { AssignQueuedUseCase } from './assign-queued.use-case';
import type { RoutingSnapshot } from './routing-directory';

const now = new Date('2026-03-02T12:00:00Z');
const queuedAt = new Date(now.getTime() - 30_000);
const conv: ConversationDoc = {
  _id: 'c1', tenantId: 't1', region: 'local', channel: 'web', accountId: 'a', customerId: 'cu', channelUserId: 'u', language: 'es',
  state: 'queued', version: 1, groupId: 'g1', since: queuedAt, firstQueuedAt: queuedAt, lastMessageAt: queuedAt, createdAt: queuedAt, updatedAt: queuedAt,
};
const queued: Ownership = { state: 'queued', version: 1, since: queuedAt, firstQueuedAt: queuedAt, groupId: 'g1', reason: 'customer_requested' };

function setup(o: { reserve?: Reservation; claimWins?: boolean; sla?: number; agents?: number } = {}) {
  const calls: string[] = [];
  const claims: Partial<OwnershipClaimDoc>[] = [];
  const sent: OutgoingText[] = [];
  const emitted: ConversationEvent[] = [];
  const store = {
    commit: async (_c: ConversationDoc, next: Ownership, extras: Partial<OwnershipClaimDoc>) => {
      calls.push(`claim v${next.version} ${next.state}`);
      const entry = { ...extras, version: next.version, state: next.state, at: now } as OwnershipClaimDoc;
      claims.push(entry);
      return o.claimWins === false ? null : entry;
    },
  } as unknown as OwnershipStore;
  const slots = {
    reserve: async (_t: string, agentId: string) => { calls.push(`reserve ${agentId}`); return o.reserve ?? 'reserved'; },
    release: async (agentId: string) => { calls.push(`release ${agentId}`); return true; },
  } as unknown as AgentSlotRepository;
  const agents = { markAssigned: async () => undefined } as unknown as AgentRepository;
  const events = { emit: async (e: ConversationEvent) => { emitted.push(e); } } as unknown as ConversationEvents;
  const customer = { send: async (_c: ConversationDoc, out: OutgoingText) => { sent.push(out); } } as unknown as CustomerMessages;
  const useCase = new AssignQueuedUseCase(store, slots, agents, events, customer);
  const snap: RoutingSnapshot = {
    groups: [SkillGroupSchema.parse({ id: 'g1', slaSeconds: o.sla ?? 300, fallbackGroupId: 'g2' }), SkillGroupSchema.parse({ id: 'g2' })],
    agents: Array.from({ length: o.agents ?? 2 }, (_, i) => ({ id: `ag${i}`, groupIds: ['g1'], languages: [], maxConcurrent: 2, activeCount: i, presence: 'online' as const })),
    maxConcurrent: new Map([['ag0', 2], ['ag1', 2]]),
    names: new Map([['ag0', 'Ana']]),
    queue: [{ conversationId: 'c1', groupId: 'g1', vip: false, priority: 0, firstQueuedAt: queuedAt }],
  };
  return { useCase, snap, calls, claims, sent, emitted };
}

describe('AssignQueuedUseCase', () => {
  it('reserves the least busy agent’s slot before claiming, then announces the agent in Spanish', async () => {
    const t = setup();
    expect(await t.useCase.execute(conv, queued, t.snap, true, now)).toBe('assigned');
    expect(t.calls).toEqual(['reserve ag0', 'claim v2 assigned']);
    expect(t.claims[0]?.routing).toMatchObject({ kind: 'assign', agentId: 'ag0', groupId: 'g1' });
    expect(t.emitted).toMatchObject([{ kind: 'assigned', state: 'assigned' }]);
    expect(t.sent.map((s) => s.text)).toEqual(['Ana, de nuestro equipo, se ha unido a la conversación.']);
    expect(t.snap.agents[0]?.activeCount).toBe(1);
    expect(t.snap.queue).toHaveLength(0);
  });

  it('prefers the agent who last served the customer (the standing written when it was queued) over a less busy one', async () => {
    const t = setup();
    const sticky = { ...conv, queue: { vip: false, priority: 0, firstQueuedAt: queuedAt, lastAgentId: 'ag1', lastAgentAt: new Date(now.getTime() - 86_400_000) } };
    expect(await t.useCase.execute(sticky, queued, t.snap, true, now)).toBe('assigned');
    expect(t.calls).toEqual(['reserve ag1', 'claim v2 assigned']);
    expect(t.claims[0]?.routing?.why.join(' ')).toMatch(/sticky: last agent ag1/);
  });

  it('routes by load when the last agent served the customer longer ago than the sticky window', async () => {
    const t = setup();
    const stale = { ...conv, queue: { vip: false, priority: 0, firstQueuedAt: queuedAt, lastAgentId: 'ag1', lastAgentAt: new Date(now.getTime() - 30 * 86_400_000) } };
    expect(await t.useCase.execute(stale, queued, t.snap, true, now)).toBe('assigned');
    expect(t.calls).toEqual(['reserve ag0', 'claim v2 assigned']);
  });

  it('gives the slot back when another router won the claim', async () => {
    const t = setup({ claimWins: false });
    expect(await t.useCase.execute(conv, queued, t.snap, true, now)).toBe('skipped');
    expect(t.calls).toEqual(['reserve ag0', 'claim v2 assigned', 'release ag0']);
    expect(t.emitted).toHaveLength(0);
    expect(t.sent).toHaveLength(0);
  });

  it('leaves it queued when the agent filled up since the snapshot, without claiming', async () => {
    const t = setup({ reserve: 'full' });
    expect(await t.useCase.execute(conv, queued, t.snap, true, now)).toBe('queued');
    expect(t.calls).toEqual(['reserve ag0']);
    expect(t.snap.agents[0]?.activeCount).toBe(2);
  });

  it('overflows to the fallback group after the SLA when nobody can take it, and says so once', async () => {
    const t = setup({ sla: 10, agents: 0 });
    expect(await t.useCase.execute(conv, queued, t.snap, false, now)).toBe('overflowed');
    expect(t.calls).toEqual(['claim v2 queued']);
    expect(t.claims[0]).toMatchObject({ cause: 'overflow:1:g2', routing: { kind: 'overflow', groupId: 'g2' } });
    expect(t.emitted).toMatchObject([{ kind: 'state_changed', reason: 'overflow g1 → g2' }]);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]).toMatchObject({ onlyIfNew: true, author: { kind: 'system' } });
  });

  it('does nothing for a conversation that is no longer queued', async () => {
    const t = setup();
    expect(await t.useCase.execute(conv, { state: 'bot', version: 2, since: now }, t.snap, true, now)).toBe('skipped');
    expect(t.calls).toEqual([]);
  });
});
