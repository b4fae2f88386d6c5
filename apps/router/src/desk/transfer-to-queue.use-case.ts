import { Inject, Injectable } from '@nestjs/common';
import { OmniError } from '@omni/contracts';
import { AGENT_SLOT_REPOSITORY, AgentSlotRepository, ConversationDoc } from '@omni/persistence';
import { transition } from '@omni/routing';
import { ConversationEvents } from '../conversations/conversation-events';
import { OwnershipStore } from '../conversations/ownership.store';
import { CustomerStanding } from '../customers/customer-standing';
import { QueueDispatcher } from '../handoff/queue-dispatcher.port';
import { announceOwner } from './announce-owner';
import { ConversationLookup } from './conversation-lookup';

export interface QueueTransfer {
  readonly groupId: string;
  readonly reason?: string;
}

/** Back to a group's queue (from an agent), with the customer's standing; the dispatcher routes it like any waiting conversation. */
@Injectable()
export class TransferToQueueUseCase {
  constructor(
    private readonly lookup: ConversationLookup,
    @Inject(AGENT_SLOT_REPOSITORY) private readonly slots: AgentSlotRepository,
    private readonly ownership: OwnershipStore,
    private readonly events: ConversationEvents,
    private readonly dispatcher: QueueDispatcher,
    private readonly standing: CustomerStanding,
  ) {}

  async execute(tenantId: string, id: string, input: QueueTransfer, requestId: string): Promise<ConversationDoc> {
    const c = await this.lookup.find(tenantId, id);
    const { ownership: o } = await this.ownership.current(c);
    const at = new Date();
    const next = transition(o, { type: 'agent_transferred', at, toGroupId: input.groupId, reason: input.reason ?? `transferred to group ${input.groupId}` });
    if (!next.ok) throw new OmniError('conflict', next.error.message, false);
    const standing = await this.standing.of(c.tenantId, c.customerId);
    const claimed = await this.ownership.commit(c, next.state, { cause: `transfer:${requestId}`, queue: { ...standing, firstQueuedAt: at } }, at);
    if (!claimed) throw new OmniError('conflict', `conversation ${id} changed meanwhile; reload and retry`, false);
    if (o.state === 'assigned') await this.slots.release(o.agentId, c._id);
    await announceOwner(this.events, c, claimed.version, 'state_changed', `transferred to group ${input.groupId}`, at);
    await this.dispatcher.dispatch(c, c.language);
    return this.lookup.find(tenantId, id);
  }
}
