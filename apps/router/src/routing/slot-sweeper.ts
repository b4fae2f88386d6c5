import { Inject, Injectable } from '@nestjs/common';
import { AGENT_SLOT_REPOSITORY, AgentSlotRepository, OWNERSHIP_REPOSITORY, OwnershipRepository } from '@omni/persistence';

/** A reservation this old that is not an assignment was left by a router that died between the two steps. */
export const LEAK_AFTER_MS = 60_000;

/**
 * Repairs capacity leaks (ADR 0200/0210): a slot whose conversation's current owner is not that
 * agent is released. Idempotent and safe in every replica at once (the release is a delete by key).
 */
@Injectable()
export class SlotSweeper {
  constructor(
    @Inject(AGENT_SLOT_REPOSITORY) private readonly slots: AgentSlotRepository,
    @Inject(OWNERSHIP_REPOSITORY) private readonly claims: OwnershipRepository,
  ) {}

  async sweep(now = new Date(), limit = 1_000): Promise<number> {
    let released = 0;
    for (const slot of await this.slots.takenBefore(new Date(now.getTime() - LEAK_AFTER_MS), limit)) {
      const owner = await this.claims.latest(slot.conversationId);
      if (owner?.state === 'assigned' && owner.agentId === slot.agentId) continue;
      if (await this.slots.release(slot.agentId, slot.conversationId)) released++;
    }
    return released;
  }
}
