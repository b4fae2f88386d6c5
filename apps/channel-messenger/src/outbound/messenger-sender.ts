import type { Provider } from '@nestjs/common';
import { isRetryable } from '@omni/contracts';
import { MESSENGER_CAPABILITIES } from '@omni/channels';
import { CHANNEL_SENDER, type ChannelSender, OUTBOUND_KEY_CONCURRENCY } from '@omni/channel-kit';
import { MESSENGER_CONFIG, MessengerConfig } from '../config';
import { LAST_INBOUND, LastInboundReader } from './conversation-window';
import { MessengerTransport } from './messenger.transport';
import { MessengerAccounts } from '../accounts/messenger-accounts';

/** Messenger's sender for the shared outbound consumer: the Send API per Page. */
export const MESSENGER_SENDER: Provider = {
  provide: CHANNEL_SENDER,
  inject: [MESSENGER_CONFIG, LAST_INBOUND, MessengerAccounts],
  useFactory: (config: MessengerConfig, window: LastInboundReader, pages: MessengerAccounts): ChannelSender => {
    const { perAccount } = MESSENGER_CAPABILITIES.rateLimits;
    return {
      transport: new MessengerTransport(config, window, pages),
      limits: { perAccountPerSecond: (perAccount.limit * 1000) / perAccount.intervalMs },
      keyConcurrency: OUTBOUND_KEY_CONCURRENCY,
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
    };
  },
};
