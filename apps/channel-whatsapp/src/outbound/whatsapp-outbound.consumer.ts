import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { isRetryable, outboundTopic, parseEvent } from '@omni/contracts';
import { WHATSAPP_CAPABILITIES } from '@omni/channels';
import { AccountRateLimiter, type ChannelTransport, MEDIA_STORE, type MediaStore, OUTBOUND_KEY_CONCURRENCY, OutboundSender, SendLedger } from '@omni/channel-kit';
import { EventPublisher, MessagingLifecycle } from '@omni/messaging';
import { BreakerOptions, BreakerRegistry, RetryPolicy } from '@omni/resilience';
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
  ledger: SendLedger;
  publisher: EventPublisher;
  limiter: AccountRateLimiter;
  breakers: BreakerRegistry;
  /** Linked-device accounts (whatsapp-web.js) and their transport; the rest goes to the Cloud API. */
  linked?: { owns: (accountId: string) => boolean; transport: ChannelTransport };
}

/** The outbound path of one app instance; `tuning` shortens waits in tests. */
export function createWhatsAppSender(deps: WhatsAppSenderDeps, tuning: { retry?: RetryPolicy; breaker?: BreakerOptions } = {}): OutboundSender {
  return new OutboundSender({
    transport: deps.linked
      ? new AccountRoutingTransport(new WhatsAppTransport(deps.config, deps.context, deps.tokens), deps.linked.transport, deps.linked.owns)
      : new WhatsAppTransport(deps.config, deps.context, deps.tokens),
    ledger: deps.ledger,
    publisher: deps.publisher,
    limiter: deps.limiter,
    breakers: deps.breakers,
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
  });
}

/**
 * Consumes omni.outbound.whatsapp.v1 (one group: each command is sent by one replica) and sends
 * through the shared outbound path: ledger, per-number limiter, breaker, retries, statuses.
 */
@Injectable()
export class WhatsAppOutboundConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly breakers = new BreakerRegistry();
  private readonly limiter: AccountRateLimiter;
  private readonly sender: OutboundSender;

  constructor(
    @Inject(WHATSAPP_CONFIG) config: WhatsAppConfig,
    @Inject(SEND_CONTEXT) context: SendContextReader,
    ledger: SendLedger,
    publisher: EventPublisher,
    private readonly messaging: MessagingLifecycle,
    linkedDevices: LinkedDeviceManager,
    @Inject(WEB_CLIENT_FACTORY) clients: WebClientFactory,
    @Inject(MEDIA_STORE) media: MediaStore,
    tokens: WhatsAppAccounts,
  ) {
    const { perAccount } = WHATSAPP_CAPABILITIES.rateLimits;
    this.limiter = new AccountRateLimiter({ perAccountPerSecond: (perAccount.limit * 1000) / perAccount.intervalMs });
    const linked = config.WHATSAPP_WEB_ACCOUNTS.length
      ? { owns: (id: string) => linkedDevices.owns(id), transport: new LinkedDeviceTransport(linkedDevices, clients, media, context, config.WHATSAPP_WEB_SEND_TIMEOUT_MS) }
      : undefined;
    this.sender = createWhatsAppSender({ config, context, tokens, ledger, publisher, limiter: this.limiter, breakers: this.breakers, linked });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'channel-whatsapp',
      topics: [outboundTopic('whatsapp')],
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
