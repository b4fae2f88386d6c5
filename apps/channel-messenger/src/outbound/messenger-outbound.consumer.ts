import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { isRetryable, outboundTopic, parseEvent } from '@omni/contracts';
import { MESSENGER_CAPABILITIES } from '@omni/channels';
import { AccountRateLimiter, OUTBOUND_KEY_CONCURRENCY, OutboundSender, SendLedger } from '@omni/channel-kit';
import { EventPublisher, MessagingLifecycle } from '@omni/messaging';
import { BreakerRegistry } from '@omni/resilience';
import { MESSENGER_CONFIG, MessengerConfig } from '../config';
import { LAST_INBOUND, LastInboundReader } from './conversation-window';
import { MessengerTransport } from './messenger.transport';
import { MessengerAccounts } from '../accounts/messenger-accounts';

/**
 * Consumes omni.outbound.messenger.v1 (one group: each command is sent by one replica) and sends
 * through the shared outbound path: ledger, per-Page limiter, breaker, retries, statuses.
 */
@Injectable()
export class MessengerOutboundConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly breakers = new BreakerRegistry();
  private readonly limiter: AccountRateLimiter;
  private readonly sender: OutboundSender;

  constructor(
    @Inject(MESSENGER_CONFIG) config: MessengerConfig,
    @Inject(LAST_INBOUND) window: LastInboundReader,
    ledger: SendLedger,
    publisher: EventPublisher,
    private readonly messaging: MessagingLifecycle,
    pages: MessengerAccounts,
  ) {
    const { perAccount } = MESSENGER_CAPABILITIES.rateLimits;
    this.limiter = new AccountRateLimiter({ perAccountPerSecond: (perAccount.limit * 1000) / perAccount.intervalMs });
    this.sender = new OutboundSender({
      transport: new MessengerTransport(config, window, pages),
      ledger,
      publisher,
      limiter: this.limiter,
      breakers: this.breakers,
      // Meta's Retry-After is honoured in place up to 30 s; longer waits go back to the consumer's
      // retry topic instead of holding a partition.
      retry: { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 },
      breaker: {
        // No breaker timeout: each Send API request is aborted at MESSENGER_HTTP_TIMEOUT_MS (OutboundSenderDeps.breaker).
        volumeThreshold: 5,
        resetTimeout: 10_000,
        // Only an unhealthy provider opens the breaker; a rejected message (4xx) or our own database is not Meta failing.
        isFailure: (err) => isRetryable(err) && (err as { code?: string }).code !== 'store_unavailable',
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'channel-messenger',
      topics: [outboundTopic('messenger')],
      keyConcurrency: OUTBOUND_KEY_CONCURRENCY,
      handler: (event) => this.sender.handle(parseEvent(event, 'omni.message.send.v1')),
    });
  }

  // After the consumers drained (beforeApplicationShutdown): in-flight sends still find their limiter.
  async onApplicationShutdown(): Promise<void> {
    await this.limiter.stop();
    this.breakers.shutdown();
  }
}
