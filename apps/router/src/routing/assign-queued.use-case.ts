import { Inject, Injectable } from '@nestjs/common';
import { Channel, derivedId } from '@omni/contracts';
import { AGENT_REPOSITORY, AGENT_SLOT_REPOSITORY, AgentRepository, AgentSlotRepository, ConversationDoc } from '@omni/persistence';
import { Ownership, RoutingDecision, decide, outOfHoursMessage, queuedMessage, transition } from '@omni/routing';
import { ConversationEvents } from '../conversations/conversation-events';
import { CustomerMessages } from '../conversations/customer-messages';
import { OwnershipStore } from '../conversations/ownership.store';
import { RoutingSnapshot } from './routing-directory';
import { agentJoinedMessage } from './routing-texts';

export type DispatchOutcome = 'assigned' | 'queued' | 'overflowed' | 'out_of_hours' | 'skipped';
type Queued = Extract<Ownership, { state: 'queued' }>;
type Assign = Extract<RoutingDecision, { kind: 'assign' }>;

/**
 * One routing attempt for one waiting conversation (ADR 0200 policy, ADR 0210 protocol): reserve a
 * slot of the chosen agent (an insert among maxConcurrent ids), then claim the next ownership
 * version; the loser of the claim gives its slot back. `snap` is updated with what happened so a
 * dispatcher pass can route a whole queue on one snapshot.
 */
@Injectable()
export class AssignQueuedUseCase {
  constructor(
    private readonly ownership: OwnershipStore,
    @Inject(AGENT_SLOT_REPOSITORY) private readonly slots: AgentSlotRepository,
    @Inject(AGENT_REPOSITORY) private readonly agents: AgentRepository,
    private readonly events: ConversationEvents,
    private readonly customer: CustomerMessages,
  ) {}

  /**
   * `o` is the ownership as read: the log's latest entry right after a handoff, or the conversation's
   * copy on a dispatcher pass (a stale copy only costs a lost claim, never a wrong assignment).
   * `notify` sends the queue-position / out-of-hours notice (once per version).
   */
  async execute(c: ConversationDoc, o: Ownership, snap: RoutingSnapshot, notify: boolean, now = new Date()): Promise<DispatchOutcome> {
    if (o.state !== 'queued') return this.leave(snap, c, 'skipped');
    const d = decide(
      {
        id: c._id, channel: c.channel as Channel, language: c.language ?? 'en',
        customer: {
          id: c.customerId, vip: c.queue?.vip ?? false, priority: c.queue?.priority ?? 0,
          ...(c.queue?.lastAgentId && c.queue.lastAgentAt ? { lastAgentId: c.queue.lastAgentId, lastAgentAt: new Date(c.queue.lastAgentAt) } : {}),
        },
        queued: { groupId: o.groupId, since: o.since, firstQueuedAt: o.firstQueuedAt },
      },
      snap.groups, snap.agents, now, { queue: snap.queue },
    );
    switch (d.kind) {
      case 'assign':
        return this.assign(c, o, d, snap, now);
      case 'queue': {
        const moved = d.overflowedFrom ? await this.overflow(c, o, d.groupId, d.why, now) : o;
        if (!moved) return this.leave(snap, c, 'skipped');
        // Without a queue read (nobody free), its length is the position; the wait scales with it.
        const position = snap.queuedInGroup ?? d.position;
        const wait = Math.ceil((d.expectedWaitSeconds * position) / d.position);
        if (notify || moved !== o) await this.notice(c, moved.version, 'queue-position', queuedMessage(c.language, position, wait));
        return moved === o ? 'queued' : 'overflowed';
      }
      case 'out_of_hours': {
        const tz = snap.groups.find((g) => g.id === d.groupId)?.hours?.timeZone ?? 'UTC';
        if (notify) await this.notice(c, o.version, 'out-of-hours', outOfHoursMessage(c.language, d.nextOpenAt, tz));
        return 'out_of_hours';
      }
    }
  }

  private async assign(c: ConversationDoc, o: Queued, d: Assign, snap: RoutingSnapshot, now: Date): Promise<DispatchOutcome> {
    const agent = snap.agents.find((a) => a.id === d.agentId);
    const reserved = await this.slots.reserve(c.tenantId, d.agentId, snap.maxConcurrent.get(d.agentId) ?? 0, c._id, now);
    if (reserved === 'full') {
      // Another router filled the agent since the snapshot: leave it queued; the next pass re-decides.
      if (agent) snap.agents[snap.agents.indexOf(agent)] = { ...agent, activeCount: agent.maxConcurrent };
      return 'queued';
    }
    const next = transition(o, { type: 'agent_assigned', at: now, agentId: d.agentId, groupId: d.groupId });
    const claimed = next.ok
      ? await this.ownership.commit(c, next.state, {
        cause: `assign:${o.version}:${d.agentId}`,
        routing: { kind: 'assign', groupId: d.groupId, agentId: d.agentId, why: [...d.why], decidedAt: now },
      }, now)
      : null;
    if (!claimed) {
      await this.slots.release(d.agentId, c._id);
      return this.leave(snap, c, 'skipped');
    }
    if (agent) snap.agents[snap.agents.indexOf(agent)] = { ...agent, activeCount: agent.activeCount + 1, lastAssignedAt: now };
    await this.agents.markAssigned(d.agentId, now);
    const scoped = { tenantId: c.tenantId, region: c.region, channel: c.channel as Channel, accountId: c.accountId, conversationId: c._id };
    await this.events.emit({ ...scoped, kind: 'assigned', state: 'assigned', reason: d.why.join('; ').slice(0, 512), at: now.toISOString() }, `${c._id}:${claimed.version}`);
    await this.customer.send(c, {
      id: derivedId(`${c._id}:${claimed.version}`, 'agent-joined'),
      text: agentJoinedMessage(c.language, snap.names.get(d.agentId) ?? d.agentId),
      author: { kind: 'system' },
    }, now);
    return this.leave(snap, c, 'assigned');
  }

  private async overflow(c: ConversationDoc, o: Queued, toGroupId: string, why: readonly string[], now: Date): Promise<Ownership | null> {
    const next = transition(o, { type: 'queue_overflowed', at: now, toGroupId, reason: why.at(-1) ?? 'SLA exceeded' });
    if (!next.ok) return null;
    const claimed = await this.ownership.commit(c, next.state, {
      cause: `overflow:${o.version}:${toGroupId}`, routing: { kind: 'overflow', groupId: toGroupId, why: [...why], decidedAt: now },
    }, now);
    if (!claimed) return null;
    const scoped = { tenantId: c.tenantId, region: c.region, channel: c.channel as Channel, accountId: c.accountId, conversationId: c._id };
    await this.events.emit({ ...scoped, kind: 'state_changed', state: 'queued', reason: `overflow ${o.groupId} → ${toGroupId}`, at: now.toISOString() }, `${c._id}:${claimed.version}`);
    return next.state;
  }

  /** At most one notice of a kind per ownership version, however many passes see it. */
  private async notice(c: ConversationDoc, version: number, kind: string, text: string): Promise<void> {
    await this.customer.send(c, { id: derivedId(`${c._id}:${version}`, kind), text, author: { kind: 'system' }, onlyIfNew: true });
  }

  private leave(snap: RoutingSnapshot, c: ConversationDoc, outcome: DispatchOutcome): DispatchOutcome {
    const i = snap.queue.findIndex((q) => q.conversationId === c._id);
    if (i >= 0) snap.queue.splice(i, 1);
    return outcome;
  }
}
