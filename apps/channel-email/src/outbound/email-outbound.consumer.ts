import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { isRetryable, outboundTopic, parseEvent } from '@omni/contracts';
import { AccountRateLimiter, MEDIA_STORE, type MediaStore, OutboundSender, SendLedger } from '@omni/channel-kit';
import { EventPublisher, MessagingLifecycle } from '@omni/messaging';
import { BreakerRegistry } from '@omni/resilience';
import { EMAIL_CONFIG, EmailConfig } from '../config';
import { MAIL_THREADS, MailThreads } from '../threads/mail-thread.store';
import { EmailMailboxes } from '../accounts/email-mailboxes';
import { EmailTransport } from './email.transport';
import { MAIL_SENDER, MailSender } from './mail-sender';

/**
 * Consumes omni.outbound.email.v1 (one group: each command is sent by one replica) and sends
 * through the shared outbound path: ledger, per-mailbox limiter, breaker on the relay, retries, statuses.
 */
@Injectable()
export class EmailOutboundConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly breakers = new BreakerRegistry();
  private readonly limiter: AccountRateLimiter;
  private readonly sender: OutboundSender;

  constructor(
    @Inject(EMAIL_CONFIG) config: EmailConfig,
    @Inject(MAIL_SENDER) private readonly mail: MailSender,
    @Inject(MAIL_THREADS) threads: MailThreads,
    ledger: SendLedger,
    publisher: EventPublisher,
    private readonly messaging: MessagingLifecycle,
    @Inject(MEDIA_STORE) media: MediaStore,
    mailboxes: EmailMailboxes,
  ) {
    this.limiter = new AccountRateLimiter({ perAccountPerSecond: config.EMAIL_RATE_PER_SECOND });
    this.sender = new OutboundSender({
      transport: new EmailTransport(mail, threads, mailboxes, { fromName: config.EMAIL_FROM_NAME }, media),
      ledger,
      publisher,
      limiter: this.limiter,
      breakers: this.breakers,
      // SMTP 4xx (greylisting, busy) and a relay that is down are retried in place a few times, then
      // through the consumer's retry topic; relays give no Retry-After.
      retry: { attempts: 4, baseDelayMs: 500, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 },
      breaker: {
        // No breaker timeout (it cannot cancel a send): nodemailer's connection, greeting and socket
        // timeouts (SMTP_TIMEOUT_MS) end a stalled SMTP exchange.
        volumeThreshold: 5,
        resetTimeout: 15_000,
        // Only a failing relay opens the breaker; a refused recipient or our own database is not the relay failing.
        isFailure: (err) => isRetryable(err) && (err as { code?: string }).code !== 'store_unavailable',
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'channel-email',
      topics: [outboundTopic('email')],
      handler: (event) => this.sender.handle(parseEvent(event, 'omni.message.send.v1')),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.limiter.stop();
    this.breakers.shutdown();
    this.mail.close();
  }
}
