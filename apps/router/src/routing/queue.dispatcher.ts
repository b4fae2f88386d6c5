import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AiResult, Channel } from '@omni/contracts';
import { CONVERSATION_REPOSITORY, ConversationDoc, ConversationRepository } from '@omni/persistence';
import { selectGroup } from '@omni/routing';
import { rootLogger } from '@omni/telemetry';
import { ownershipOf } from '../conversations/ownership.mapper';
import { OwnershipStore } from '../conversations/ownership.store';
import { QueueDispatcher } from '../handoff/queue-dispatcher.port';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { AssignQueuedUseCase, DispatchOutcome } from './assign-queued.use-case';
import { RoutingDirectory } from './routing-directory';
import { LEAK_AFTER_MS, SlotSweeper } from './slot-sweeper';

const PASS_LIMIT = 1_000;

/**
 * Routes waiting conversations: right after a handoff, and on a timer in every replica (agents come
 * online, slots free up, SLAs expire, groups open). Replicas racing on the same queue are safe: the
 * slot insert and the ownership claim each have one winner (ADR 0210); a lost race is just skipped.
 */
@Injectable()
export class RoutingQueueDispatcher extends QueueDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private lastSweep = 0;
  private readonly log = rootLogger().child({ component: 'dispatcher' });

  constructor(
    private readonly directory: RoutingDirectory,
    private readonly assign: AssignQueuedUseCase,
    private readonly store: OwnershipStore,
    private readonly sweeper: SlotSweeper,
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {
    super();
  }

  async groupFor(c: ConversationDoc, r: Pick<AiResult, 'language' | 'intent'>): Promise<string> {
    const groups = await this.directory.groupsOf(c.tenantId);
    const why: string[] = [];
    return selectGroup({ id: c._id, channel: c.channel as Channel, language: r.language || c.language || 'en', intent: r.intent?.name ?? null, customer: { id: c.customerId } }, groups, why).id;
  }

  /** `language`: as just detected; the conversation read before the AI result may not have it yet. */
  async dispatch(c: ConversationDoc, language: string | undefined): Promise<void> {
    const { ownership, entry } = await this.store.current(c);
    if (ownership.state !== 'queued') return;
    const snap = await this.directory.load(c.tenantId, { groupId: ownership.groupId });
    // `c` was read before it was queued: the standing is on the entry that queued it.
    await this.assign.execute({ ...c, ...(entry?.queue ? { queue: entry.queue } : {}), ...(language ? { language } : {}) }, ownership, snap, true);
  }

  onApplicationBootstrap(): void {
    const every = this.config.ROUTER_DISPATCH_INTERVAL_MS;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      this.pass ??= this.runPass().then(() => undefined).finally(() => (this.pass = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.pass;
  }

  /** One pass over the waiting conversations, per tenant on one snapshot, in service order. */
  async runPass(now = new Date()): Promise<Record<DispatchOutcome, number>> {
    const counts: Record<DispatchOutcome, number> = { assigned: 0, queued: 0, overflowed: 0, out_of_hours: 0, skipped: 0 };
    try {
      if (now.getTime() - this.lastSweep >= LEAK_AFTER_MS) {
        this.lastSweep = now.getTime();
        const released = await this.sweeper.sweep(now);
        if (released > 0) this.log.warn({ released }, 'released leaked agent slots');
      }
      const waiting = await this.conversations.queued(PASS_LIMIT);
      const byTenant = new Map<string, ConversationDoc[]>();
      for (const c of waiting) byTenant.set(c.tenantId, [...(byTenant.get(c.tenantId) ?? []), c]);
      for (const [tenantId, list] of byTenant) {
        const snap = await this.directory.load(tenantId, { conversations: list });
        // Service order within each group: once its head must wait, everyone behind it waits too
        // (decide's fairness rule), so the rest of that group is not evaluated this pass.
        const blocked = new Set<string>();
        for (const c of list) {
          const group = c.groupId ?? '';
          if (blocked.has(group)) continue;
          const outcome = await this.assign.execute(c, ownershipOf(c, c.createdAt), snap, false, now);
          counts[outcome]++;
          if (outcome === 'queued' || outcome === 'out_of_hours') blocked.add(group);
        }
      }
    } catch (err) {
      this.log.warn({ err }, 'dispatch pass failed; the next one retries');
    }
    return counts;
  }
}
