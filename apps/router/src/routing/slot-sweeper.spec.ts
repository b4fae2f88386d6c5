import type { AgentSlotDoc, AgentSlotRepository, OwnershipClaimDoc, OwnershipRepository } from '@omni/persistence';
import { SlotSweeper } from './slot-sweeper';

const now = new Date('2026-03-02T12:00:00Z');
const old = new Date(now.getTime() - 120_000);
const slot = (agentId: string, conversationId: string): AgentSlotDoc => ({ _id: `${agentId}:0`, tenantId: 't', agentId, slot: 0, conversationId, since: old });

describe('SlotSweeper', () => {
  it('releases old reservations whose conversation is not assigned to that agent, and keeps real assignments', async () => {
    const released: string[] = [];
    const owners: Record<string, Partial<OwnershipClaimDoc> | null> = {
      kept: { state: 'assigned', agentId: 'ana' },
      lostClaim: { state: 'assigned', agentId: 'bob' },
      stillQueued: { state: 'queued' },
      never: null,
    };
    const slots = {
      takenBefore: async (before: Date) => {
        expect(before.getTime()).toBe(now.getTime() - 60_000);
        return Object.keys(owners).map((c) => slot('ana', c));
      },
      release: async (agentId: string, conversationId: string) => { released.push(`${agentId}/${conversationId}`); return true; },
    } as unknown as AgentSlotRepository;
    const claims = { latest: async (id: string) => owners[id] ?? null } as unknown as OwnershipRepository;
    expect(await new SlotSweeper(slots, claims).sweep(now)).toBe(3);
    expect(released).toEqual(['ana/lostClaim', 'ana/stillQueued', 'ana/never']);
  });
});
