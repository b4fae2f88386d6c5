import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, OmniError, derivedId } from '@omni/contracts';
import { AGENT_REPOSITORY, AGENT_SLOT_REPOSITORY, AgentRepository, AgentSlotRepository, ConversationDoc } from '@omni/persistence';
import { OwnershipEvent, transition } from '@omni/routing';
import { ConversationEvents } from '../conversations/conversation-events';
import { CustomerMessages } from '../conversations/customer-messages';
import { OwnershipStore } from '../conversations/ownership.store';
import { agentJoinedMessage } from '../routing/routing-texts';
import { announceOwner } from './announce-owner';
import { ConversationLookup } from './conversation-lookup';

export interface Assignment {
  readonly agentId: string;
  readonly groupId?: string;
  readonly reason?: string;
}

/**
 * Manual assignment by a supervisor or agent: take over (bot/queued → agent) or transfer to another
 * agent. Same protocol as the dispatcher (ADR 0210): reserve the new agent's slot, claim the next
 * ownership version, then release the previous agent's slot.
 */
@Injectable()
export class AssignConversationUseCase {
  constructor(
    private readonly lookup: ConversationLookup,
    @Inject(AGENT_REPOSITORY) private readonly agents: AgentRepository,
    @Inject(AGENT_SLOT_REPOSITORY) private readonly slots: AgentSlotRepository,
    private readonly ownership: OwnershipStore,
    private readonly events: ConversationEvents,
    private readonly customer: CustomerMessages,
  ) {}

  async execute(tenantId: string, id: string, input: Assignment, requestId: string): Promise<ConversationDoc> {
    const c = await this.lookup.find(tenantId, id);
    const agent = await this.agents.get(tenantId, input.agentId);
    if (!agent) throw new NotFoundError(`agent ${input.agentId}`);
    const { ownership: o } = await this.ownership.current(c);
    // Taking a conversation that is already this agent's (the dispatcher gave it to them a moment
    // before they clicked "Take") is done, not a conflict: nothing changes and the caller opens it.
    if (o.state === 'assigned' && o.agentId === agent._id) return c;
    const at = new Date();
    const groupId = input.groupId ?? agent.groupIds[0] ?? (o.state === 'queued' || o.state === 'assigned' ? o.groupId : 'default');
    const event: OwnershipEvent = o.state === 'assigned'
      ? { type: 'agent_transferred', at, toGroupId: groupId, toAgentId: agent._id, reason: input.reason ?? `transferred to ${agent._id}` }
      : { type: 'agent_assigned', at, agentId: agent._id, groupId };
    const next = transition(o, event);
    if (!next.ok) throw new OmniError('conflict', next.error.message, false);
    const reserved = await this.slots.reserve(tenantId, agent._id, agent.maxConcurrent, c._id, at);
    if (reserved === 'full') throw new OmniError('conflict', `agent ${agent._id} is at capacity (${agent.maxConcurrent})`, false);
    const claimed = await this.ownership.commit(c, next.state, {
      cause: `assign:${requestId}`, routing: { kind: 'manual', groupId, agentId: agent._id, why: [input.reason ?? `assigned by API (${requestId})`], decidedAt: at },
    }, at);
    if (!claimed) {
      if (reserved === 'reserved') await this.slots.release(agent._id, c._id);
      throw new OmniError('conflict', `conversation ${id} changed meanwhile; reload and retry`, false);
    }
    if (o.state === 'assigned') await this.slots.release(o.agentId, c._id);
    await this.agents.markAssigned(agent._id, at);
    await announceOwner(this.events, c, claimed.version, 'assigned', `assigned to ${agent._id}`, at);
    await this.customer.send(c, { id: derivedId(`${c._id}:${claimed.version}`, 'agent-joined'), text: agentJoinedMessage(c.language, agent.name), author: { kind: 'system' } }, at);
    return this.lookup.find(tenantId, id);
  }
}
