import { Inject, Injectable } from '@nestjs/common';
import {
  CONVERSATION_REPOSITORY, CUSTOMER_TIER_REPOSITORY, ConversationRepository, CustomerTierDoc, CustomerTierRepository, OWNERSHIP_REPOSITORY, OwnershipClaimDoc,
  OwnershipRepository, QueueStanding,
} from '@omni/persistence';
import { CustomerIdentities } from './customer-identities';

/** How many of the profile's latest conversations are searched for the last agent. */
const RECENT_CONVERSATIONS = 20;

export type Standing = Omit<QueueStanding, 'firstQueuedAt'>;

/**
 * The customer's standing in the queues, over the whole unified profile (every linked channel
 * identity): VIP if any identity was made VIP, the highest priority set, and the agent of the
 * newest assignment among the profile's latest conversations. Read once when a conversation is
 * queued (handoff, transfer to a group) and written with that claim, so the dispatcher's passes
 * read no customer data.
 */
@Injectable()
export class CustomerStanding {
  constructor(
    private readonly identities: CustomerIdentities,
    @Inject(CUSTOMER_TIER_REPOSITORY) private readonly tiers: CustomerTierRepository,
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(OWNERSHIP_REPOSITORY) private readonly claims: OwnershipRepository,
  ) {}

  async of(tenantId: string, customerId: string): Promise<Standing> {
    const { identityIds } = await this.identities.profile(tenantId, customerId);
    const [tiers, recent] = await Promise.all([
      this.tiers.of(tenantId, identityIds),
      this.conversations.recentIdsOfCustomers(tenantId, identityIds, RECENT_CONVERSATIONS),
    ]);
    return standingOf(tiers, await this.claims.lastAssigned(recent));
  }
}

export function standingOf(tiers: readonly Pick<CustomerTierDoc, 'vip' | 'priority'>[], last: Pick<OwnershipClaimDoc, 'agentId' | 'at'> | null): Standing {
  return {
    vip: tiers.some((t) => t.vip),
    priority: tiers.reduce((p, t) => Math.max(p, t.priority), 0),
    ...(last?.agentId ? { lastAgentId: last.agentId, lastAgentAt: last.at } : {}),
  };
}
