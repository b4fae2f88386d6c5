import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { outboundTopic, parseEvent } from '@omni/contracts';
import { DEFAULT_RETRY_PLAN, EventPublisher, MessagingLifecycle } from '@omni/messaging';
import { BreakerOptions, BreakerRegistry, RetryPolicy } from '@omni/resilience';
import { rootLogger } from '@omni/telemetry';
import { AccountRateLimiter, RateLimitPlan } from './rate-limiter';
import { ChannelTransport, OutboundSender } from './outbound-sender';
import { SendLedger } from './send-ledger';
import { SendShare } from './send-share';
import { SendFence } from './send-fence';
import { SEND_RECONCILE_CONFIG, SendReconcileConfig } from './send-reconcile';

/**
 * What a channel app brings to the shared outbound consumer: its transport and the provider's
 * limits and failure policy around it. Everything else — the subscription, keyed concurrency, the
 * ledger, pacing, breakers, retries, statuses — is the same for every channel.
 */
export interface ChannelSender {
  readonly transport: ChannelTransport;
  /** The provider's published limits per account (and per recipient). */
  readonly limits: RateLimitPlan;
  /** In-place retries of a retryable send before the consumer's retry topic takes it. */
  readonly retry: RetryPolicy;
  /** The account breaker's policy (no timeout: each provider request is bounded by the transport). */
  readonly breaker: Omit<BreakerOptions, 'timeout'>;
  /** Conversations sent at once per partition (OUTBOUND_KEY_CONCURRENCY; 1 keeps a partition in order). */
  readonly keyConcurrency: number;
  /** Releases the transport's own resources at shutdown (a mail relay's pool). */
  close?(): void;
}

/** The Nest token under which a channel app provides its ChannelSender. */
export const CHANNEL_SENDER = Symbol('CHANNEL_SENDER');

/** The outbound path of one channel app instance, built from its sender. */
export function outboundSender(
  sender: ChannelSender,
  deps: {
    ledger: SendLedger; fence: Pick<SendFence, 'verdict' | 'peerConfirmation'>; reconcile: SendReconcileConfig;
    publisher: EventPublisher; limiter: AccountRateLimiter; breakers: BreakerRegistry;
  },
): OutboundSender {
  return new OutboundSender({ transport: sender.transport, retry: sender.retry, breaker: sender.breaker, ...deps });
}

/**
 * Consumes `omni.outbound.<channel>.v1` (one group per channel: each command is sent by one
 * replica) and sends through the shared outbound path: ledger, per-account limiter, breaker per
 * account, retries, statuses. The channel apps provide only their ChannelSender (CHANNEL_SENDER).
 */
@Injectable()
export class ChannelOutboundConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly breakers = new BreakerRegistry();
  /** This replica's part of each account's limit: the replicas of the group divide it (ADR 0601). */
  private readonly share = SendShare.ofGroup();
  private readonly log = rootLogger().child({ component: 'outbound' });
  private readonly limiter: AccountRateLimiter;
  private readonly sender: OutboundSender;

  constructor(
    @Inject(CHANNEL_SENDER) private readonly channel: ChannelSender,
    private readonly ledger: SendLedger,
    fence: SendFence,
    @Inject(SEND_RECONCILE_CONFIG) reconcile: SendReconcileConfig,
    publisher: EventPublisher,
    private readonly messaging: MessagingLifecycle,
  ) {
    this.limiter = new AccountRateLimiter(channel.limits, this.share);
    this.sender = outboundSender(channel, { ledger, fence, reconcile, publisher, limiter: this.limiter, breakers: this.breakers });
  }

  async onApplicationBootstrap(): Promise<void> {
    const name = this.channel.transport.channel;
    await this.messaging.subscribe({
      groupId: `channel-${name}`,
      topics: [outboundTopic(name)],
      keyConcurrency: this.channel.keyConcurrency,
      // A partition may come with holds another replica wrote: the index of held conversations is read again.
      onJoin: () => this.ledger.forgetHolds(),
      onAssignment: (assigned) => {
        const mine = assigned.find((a) => a.topic === outboundTopic(name));
        if (!mine) return;
        this.share.update(mine.partitions, mine.total);
        this.log.info({ channel: name, partitions: mine.partitions, of: mine.total, perAccount: this.limiter.portion() }, "outbound partitions assigned: this replica's part of each account limit (larger parts after a hold)");
      },
      // The command's place among its conversation's commands keeps them in order behind a send held for
      // the reconcile; on the last attempt of the (default) retry plan a held command goes out rather than to the DLQ.
      handler: async (event, ctx) => this.sender.handle(parseEvent(event, 'omni.message.send.v1'), {
        ...(ctx.origin ? { offset: ctx.origin.offset } : {}),
        final: ctx.attempt >= DEFAULT_RETRY_PLAN.backoffMs.length,
      }),
    });
  }

  // After the consumers drained (beforeApplicationShutdown): in-flight sends still find their limiter.
  async onApplicationShutdown(): Promise<void> {
    await this.limiter.stop();
    this.breakers.shutdown();
    this.channel.close?.();
  }
}
