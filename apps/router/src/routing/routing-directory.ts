import { Inject, Injectable } from '@nestjs/common';
import {
  AGENT_REPOSITORY, AGENT_SLOT_REPOSITORY, AgentRepository, AgentSlotRepository, CONVERSATION_REPOSITORY, ConversationDoc, ConversationRepository,
  LATEST_TENANT_SETTINGS, type LatestTenantSettings, SKILL_GROUP_REPOSITORY, SkillGroupRepository,
} from '@omni/persistence';
import { Agent, QueueEntry, SkillGroup, SkillGroupSchema, withTenantDefaults } from '@omni/routing';
import { groupDefaults } from '../settings/settings-sections';

/** Until a tenant configures skill groups, everything waits in one general group open around the clock. */
export const DEFAULT_GROUP: SkillGroup = SkillGroupSchema.parse({ id: 'default' });

/** Enough for fairness and a queue position; a customer further back is told "about" that many anyway. */
const QUEUE_LIMIT = 500;

export interface RoutingSnapshot {
  readonly groups: readonly SkillGroup[];
  readonly agents: Agent[];
  readonly maxConcurrent: ReadonlyMap<string, number>;
  readonly names: ReadonlyMap<string, string>;
  readonly queue: QueueEntry[];
  /** Set when the queue was not read because nobody could take a conversation now: the group's queue length. */
  readonly queuedInGroup?: number;
}

/** Reads what decide() needs for one tenant: groups, agents with their occupied slots, the queue. */
@Injectable()
export class RoutingDirectory {
  constructor(
    @Inject(SKILL_GROUP_REPOSITORY) private readonly groups: SkillGroupRepository,
    @Inject(AGENT_REPOSITORY) private readonly agents: AgentRepository,
    @Inject(AGENT_SLOT_REPOSITORY) private readonly slots: AgentSlotRepository,
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(LATEST_TENANT_SETTINGS) private readonly settings: LatestTenantSettings,
  ) {}

  /** The tenant's groups as routing uses them: each group's own configuration over the tenant's hours and SLA settings (ADR 0602). */
  async groupsOf(tenantId: string): Promise<SkillGroup[]> {
    const [stored, settings] = await Promise.all([this.groups.list(tenantId), this.settings.of(tenantId)]);
    return withTenantDefaults(stored.length > 0 ? stored.map((g) => g.config) : [{ id: DEFAULT_GROUP.id }], groupDefaults(settings));
  }

  /**
   * `queue`: the waiting conversations when the caller read them already (a dispatcher pass). For a
   * single conversation of `groupId` the queue is read only if an agent of that group (or its
   * fallback) could take it now; otherwise only its length is counted, for the position notice.
   */
  async load(tenantId: string, queue: { groupId: string } | { conversations: readonly ConversationDoc[] }): Promise<RoutingSnapshot> {
    const [groups, agents, loads] = await Promise.all([this.groupsOf(tenantId), this.agents.list(tenantId), this.slots.loads(tenantId)]);
    let queued: readonly ConversationDoc[] = [];
    let queuedInGroup: number | undefined;
    if ('conversations' in queue) queued = queue.conversations;
    else {
      const fallback = groups.find((g) => g.id === queue.groupId)?.fallbackGroupId;
      const open = agents.some((a) => a.presence === 'online' && (loads.get(a._id) ?? 0) < a.maxConcurrent && a.groupIds.some((g) => g === queue.groupId || g === fallback));
      if (open) queued = await this.conversations.queued(QUEUE_LIMIT, tenantId, queue.groupId);
      else queuedInGroup = await this.conversations.countQueued(tenantId, queue.groupId);
    }
    return {
      groups,
      agents: agents.map((a) => ({
        id: a._id, groupIds: a.groupIds, languages: a.languages, maxConcurrent: a.maxConcurrent, activeCount: loads.get(a._id) ?? 0, presence: a.presence,
        ...(a.lastAssignedAt ? { lastAssignedAt: a.lastAssignedAt } : {}),
      })),
      maxConcurrent: new Map(agents.map((a) => [a._id, a.maxConcurrent])),
      names: new Map(agents.map((a) => [a._id, a.name])),
      ...(queuedInGroup === undefined ? {} : { queuedInGroup }),
      queue: queued.map((c) => ({
        conversationId: c._id, groupId: c.groupId ?? '', vip: c.queue?.vip ?? false, priority: c.queue?.priority ?? 0, firstQueuedAt: c.queue?.firstQueuedAt ?? c.firstQueuedAt ?? c.createdAt,
      })),
    };
  }
}
