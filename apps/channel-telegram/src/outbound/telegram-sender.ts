import type { Provider } from '@nestjs/common';
import { isRetryable } from '@omni/contracts';
import { CHANNEL_SENDER, type ChannelSender, OUTBOUND_KEY_CONCURRENCY } from '@omni/channel-kit';
import { TELEGRAM_CONFIG, TelegramConfig } from '../config';
import { TelegramBots } from '../accounts/telegram-bots';
import { REPLY_TARGETS, ReplyTargets } from './reply-target';
import { TelegramTransport } from './telegram.transport';

/** Telegram's sender for the shared outbound consumer: the Bot API per bot, 30/s per bot and 1/s per chat. */
export const TELEGRAM_SENDER: Provider = {
  provide: CHANNEL_SENDER,
  inject: [TELEGRAM_CONFIG, TelegramBots, REPLY_TARGETS],
  useFactory: (config: TelegramConfig, bots: TelegramBots, replies: ReplyTargets): ChannelSender => {
    // Telegram's own limits: the limiter counts our sends in a window a little longer than
    // Telegram's (WINDOW_GUARD_MS), which absorbs the jitter between our starts and its arrivals.
    const perChat = config.TELEGRAM_RATE_PER_CHAT_PER_SECOND;
    return {
      transport: new TelegramTransport(bots, replies, { partGapMs: Math.ceil(1000 / perChat) }),
      limits: { perAccountPerSecond: config.TELEGRAM_RATE_PER_SECOND, perRecipientPerSecond: perChat },
      keyConcurrency: OUTBOUND_KEY_CONCURRENCY,
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
    };
  },
};
