import { Inject, Injectable } from '@nestjs/common';
import { Channel, NotFoundError, OmniError, derivedId } from '@omni/contracts';
import { AGENT_REPOSITORY, AGENT_SLOT_REPOSITORY, AgentRepository, AgentSlotRepository, ConversationDoc } from '@omni/persistence';
import { OwnershipEvent, transition } from '@omni/routing';
import { ConversationEvents } from '../conversations/conversation-events';
import { CustomerMessages } from '../conversations/customer-messages';
import { OwnershipStore } from '../conversations/ownership.store';
import { CustomerStanding } from '../customers/customer-standing';
import { QueueDispatcher } from '../handoff/queue-dispatcher.port';
import { agentJoinedMessage } from '../routing/routing-texts';
import { ConversationActions } from './conversation-actions';

/**
 * Manual assignment by a supervisor or agent: take over (bot/queued → agent), transfer to another
 * agent, or transfer to a group's queue. Same protocol as the dispatcher (ADR 0210): reserve the new
 * agent's slot, claim the next ownership version, then release the previous agent's slot.
 */
@Injectable()
export class AssignmentActions {
  constructor(
    private readonly conversations: ConversationActions,
    @Inject(AGENT_REPOSITORY) private readonly agents: AgentRepository,
    @Inject(AGENT_SLOT_REPOSITORY) private readonly slots: AgentSlotRepository,
    private readonly ownership: OwnershipStore,
    private readonly events: ConversationEvents,
    private readonly customer: CustomerMessages,
    private readonly dispatcher: QueueDispatcher,
    private readonly standing: CustomerStanding,
  ) {}

  async assign(tenantId: string, id: string, input: { agentId: string; groupId?: string; reason?: string }, requestId: string): Promise<ConversationDoc> {
    const c = await this.conversations.find(tenantId, id);
    const agent = await this.agents.get(tenantId, input.agentId);
    if (!agent) throw new NotFoundError(`agent ${input.agentId}`);
    const { ownership: o } = await this.ownership.current(c);
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
    await this.announce(c, claimed.version, 'assigned', `assigned to ${agent._id}`, at);
    await this.customer.send(c, { id: derivedId(`${c._id}:${claimed.version}`, 'agent-joined'), text: agentJoinedMessage(c.language, agent.name), author: { kind: 'system' } }, at);
    return this.conversations.find(tenantId, id);
  }

  /** Back to a group's queue (from an agent); the dispatcher routes it like any waiting conversation. */
  async toQueue(tenantId: string, id: string, input: { groupId: string; reason?: string }, requestId: string): Promise<ConversationDoc> {
    const c = await this.conversations.find(tenantId, id);
    const { ownership: o } = await this.ownership.current(c);
    const at = new Date();
    const next = transition(o, { type: 'agent_transferred', at, toGroupId: input.groupId, reason: input.reason ?? `transferred to group ${input.groupId}` });
    if (!next.ok) throw new OmniError('conflict', next.error.message, false);
    const standing = await this.standing.of(c.tenantId, c.customerId);
    const claimed = await this.ownership.commit(c, next.state, { cause: `transfer:${requestId}`, queue: { ...standing, firstQueuedAt: at } }, at);
    if (!claimed) throw new OmniError('conflict', `conversation ${id} changed meanwhile; reload and retry`, false);
    if (o.state === 'assigned') await this.slots.release(o.agentId, c._id);
    await this.announce(c, claimed.version, 'state_changed', `transferred to group ${input.groupId}`, at);
    await this.dispatcher.dispatch(c, c.language);
    return this.conversations.find(tenantId, id);
  }

  private async announce(c: ConversationDoc, version: number, kind: 'assigned' | 'state_changed', reason: string, at: Date): Promise<void> {
    const scoped = { tenantId: c.tenantId, region: c.region, channel: c.channel as Channel, accountId: c.accountId, conversationId: c._id };
    await this.events.emit({ ...scoped, kind, state: kind === 'assigned' ? 'assigned' : 'queued', reason, at: at.toISOString() }, `${c._id}:${version}`);
  }
}
