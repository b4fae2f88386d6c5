import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { isRetryable, outboundTopic, parseEvent } from '@omni/contracts';
import { AccountRateLimiter, OUTBOUND_KEY_CONCURRENCY, OutboundSender, SendLedger } from '@omni/channel-kit';
import { EventPublisher, MessagingLifecycle } from '@omni/messaging';
import { BreakerRegistry } from '@omni/resilience';
import { TELEGRAM_CONFIG, TelegramConfig } from '../config';
import { TelegramBots } from '../accounts/telegram-bots';
import { REPLY_TARGETS, ReplyTargets } from './reply-target';
import { TelegramTransport } from './telegram.transport';

/**
 * Consumes omni.outbound.telegram.v1 (one group: each command is sent by one replica) and sends
 * through the shared outbound path: ledger, limiter (30/s per bot, 1/s per chat), breaker, retries, statuses.
 */
@Injectable()
export class TelegramOutboundConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly breakers = new BreakerRegistry();
  private readonly limiter: AccountRateLimiter;
  private readonly sender: OutboundSender;

  constructor(
    @Inject(TELEGRAM_CONFIG) config: TelegramConfig,
    bots: TelegramBots,
    @Inject(REPLY_TARGETS) replies: ReplyTargets,
    ledger: SendLedger,
    publisher: EventPublisher,
    private readonly messaging: MessagingLifecycle,
  ) {
    // Telegram's own limits: the limiter counts our sends in a window a little longer than
    // Telegram's (WINDOW_GUARD_MS), which absorbs the jitter between our starts and its arrivals.
    const perChat = config.TELEGRAM_RATE_PER_CHAT_PER_SECOND;
    this.limiter = new AccountRateLimiter({ perAccountPerSecond: config.TELEGRAM_RATE_PER_SECOND, perRecipientPerSecond: perChat });
    const transport = new TelegramTransport(bots, replies, { partGapMs: Math.ceil(1000 / perChat) });
    this.sender = new OutboundSender({
      transport,
      ledger,
      publisher,
      limiter: this.limiter,
      breakers: this.breakers,
      // Telegram's retry_after is honoured in place up to 30 s; a longer flood wait goes back to the
      // consumer's retry topic instead of holding the partition.
      retry: { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 },
      breaker: {
        // No breaker timeout: each Bot API call is aborted at TELEGRAM_HTTP_TIMEOUT_MS (OutboundSenderDeps.breaker).
        volumeThreshold: 5,
        resetTimeout: config.TELEGRAM_BREAKER_RESET_MS,
        // Only an unhealthy Bot API opens the breaker; a refused message (blocked user) or our database is not Telegram failing.
        isFailure: (err) => isRetryable(err) && (err as { code?: string }).code !== 'store_unavailable',
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'channel-telegram',
      topics: [outboundTopic('telegram')],
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
