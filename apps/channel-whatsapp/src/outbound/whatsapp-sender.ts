import type { Provider } from '@nestjs/common';
import { isRetryable } from '@omni/contracts';
import { WHATSAPP_CAPABILITIES } from '@omni/channels';
import { CHANNEL_SENDER, type ChannelSender, type ChannelTransport, MEDIA_STORE, type MediaStore, OUTBOUND_KEY_CONCURRENCY } from '@omni/channel-kit';
import { BreakerOptions, RetryPolicy } from '@omni/resilience';
import { WHATSAPP_CONFIG, WhatsAppConfig } from '../config';
import { SEND_CONTEXT, SendContextReader } from './conversation-context';
import { LinkedDeviceManager } from '../linked-device/linked-device.manager';
import { AccountRoutingTransport, LinkedDeviceTransport } from '../linked-device/linked-device.transport';
import { WEB_CLIENT_FACTORY, WebClientFactory } from '../linked-device/web-client';
import { WhatsAppTransport } from './whatsapp.transport';
import { WhatsAppAccessTokens, WhatsAppAccounts } from '../accounts/whatsapp-accounts';

export interface WhatsAppSenderDeps {
  config: WhatsAppConfig;
  context: SendContextReader;
  /** Each number's access token (channel_accounts; the env's for the bootstrap number). */
  tokens: WhatsAppAccessTokens;
  /** Linked-device accounts (whatsapp-web.js) and their transport; the rest goes to the Cloud API. */
  linked?: { owns: (accountId: string) => boolean; transport: ChannelTransport };
}

/** WhatsApp's sender for the shared outbound consumer; `tuning` shortens waits in tests. */
export function whatsAppSender(deps: WhatsAppSenderDeps, tuning: { retry?: RetryPolicy; breaker?: Omit<BreakerOptions, 'timeout'> } = {}): ChannelSender {
  const { perAccount } = WHATSAPP_CAPABILITIES.rateLimits;
  const cloud = new WhatsAppTransport(deps.config, deps.context, deps.tokens);
  return {
    transport: deps.linked ? new AccountRoutingTransport(cloud, deps.linked.transport, deps.linked.owns) : cloud,
    limits: { perAccountPerSecond: (perAccount.limit * 1000) / perAccount.intervalMs },
    keyConcurrency: OUTBOUND_KEY_CONCURRENCY,
    // Meta's waits (Retry-After, 6 s for the pair limit) are honoured in place up to 30 s; longer
    // ones (spam limit 131048) go back to the consumer's retry topic instead of holding a partition.
    retry: { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000, maxRetryAfterMs: 30_000, ...tuning.retry },
    breaker: {
      // No breaker timeout: each Graph request of a send (a split text is several) is aborted at
      // WHATSAPP_HTTP_TIMEOUT_MS, a linked-device send ends at WHATSAPP_WEB_SEND_TIMEOUT_MS (OutboundSenderDeps.breaker).
      volumeThreshold: 5,
      resetTimeout: 10_000,
      // Only an unhealthy provider opens the breaker; a rejected message (4xx) or our own database is not Meta failing.
      // A linked device that stops confirming sends is failing too, though such a send is not retried.
      isFailure: (err) => {
        const code = (err as { code?: string }).code;
        return (isRetryable(err) && code !== 'store_unavailable') || code === 'linked_device_send_timeout';
      },
      ...tuning.breaker,
    },
  };
}

/** The app's ChannelSender for the shared outbound consumer: the Cloud API, and linked devices when configured. */
export const WHATSAPP_SENDER: Provider = {
  provide: CHANNEL_SENDER,
  inject: [WHATSAPP_CONFIG, SEND_CONTEXT, LinkedDeviceManager, WEB_CLIENT_FACTORY, MEDIA_STORE, WhatsAppAccounts],
  useFactory: (config: WhatsAppConfig, context: SendContextReader, linkedDevices: LinkedDeviceManager, clients: WebClientFactory, media: MediaStore, tokens: WhatsAppAccounts) => {
    const linked = config.WHATSAPP_WEB_ACCOUNTS.length
      ? { owns: (id: string) => linkedDevices.owns(id), transport: new LinkedDeviceTransport(linkedDevices, clients, media, context, config.WHATSAPP_WEB_SEND_TIMEOUT_MS) }
      : undefined;
    return whatsAppSender({ config, context, tokens, linked });
  },
};
