import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OmniError } from '@omni/contracts';
import { CONVERSATION_REPOSITORY, ConversationRepository } from '@omni/persistence';
import { rootLogger } from '@omni/telemetry';
import { ResolveConversationUseCase } from '../desk/resolve-conversation.use-case';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

const BATCH = 200;

/**
 * Resolves conversations the bot still owns after ROUTER_IDLE_RESOLVE_AFTER_MS without a message:
 * the customer got what they needed (or left), which is what "contained" means in the reports and
 * the A/B outcomes, and they are asked for a rating. Runs in every replica; two replicas resolving the
 * same conversation race on the ownership insert (one wins, the other gets a conflict and moves on),
 * and a customer writing meanwhile wins the same way, keeping it open.
 */
@Injectable()
export class IdleResolver implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private pass?: Promise<number>;
  private readonly log = rootLogger().child({ component: 'idle-resolver' });

  constructor(
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    private readonly resolution: ResolveConversationUseCase,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  onApplicationBootstrap(): void {
    const after = this.config.ROUTER_IDLE_RESOLVE_AFTER_MS;
    if (after === 0) return;
    this.timer = setInterval(() => {
      this.pass ??= this.sweep().catch((err: unknown) => {
        this.log.warn({ err }, 'idle resolve pass failed; next pass retries');
        return 0;
      }).finally(() => (this.pass = undefined));
    }, Math.min(60_000, Math.max(1_000, Math.floor(after / 2))));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.pass;
  }

  /** One pass; returns how many conversations it resolved. */
  async sweep(now = new Date()): Promise<number> {
    let resolved = 0;
    const before = new Date(now.getTime() - this.config.ROUTER_IDLE_RESOLVE_AFTER_MS);
    for (const c of await this.conversations.idleInBot(before, BATCH)) {
      // Re-read right before: a message that arrived since the scan keeps it open. A message landing in
      // the milliseconds between this read and the claim can go unanswered (the bot's gate sees the
      // resolution); the customer's next message reopens the conversation.
      const fresh = await this.conversations.get(c._id);
      if (!fresh || fresh.state !== 'bot' || fresh.lastMessageAt >= before) continue;
      try {
        // The request id makes a retried pass the same claim (the version is in it).
        await this.resolution.execute(c.tenantId, c._id, `idle:${c.version}:${c.lastMessageAt.getTime()}`, 'system');
        resolved++;
      } catch (err) {
        // Someone else resolved it, a customer wrote, or a human took it: its copy was stale.
        if (!(err instanceof OmniError && err.code === 'conflict')) throw err;
      }
    }
    return resolved;
  }
}
