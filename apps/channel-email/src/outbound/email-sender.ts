import type { Provider } from '@nestjs/common';
import { isRetryable } from '@omni/contracts';
import { CHANNEL_SENDER, type ChannelSender, MEDIA_STORE, type MediaStore } from '@omni/channel-kit';
import { EMAIL_CONFIG, EmailConfig } from '../config';
import { MAIL_THREADS, MailThreads } from '../threads/mail-thread.store';
import { EmailMailboxes } from '../accounts/email-mailboxes';
import { EmailTransport } from './email.transport';
import { MAIL_SENDER, MailSender } from './mail-sender';

/** Email's sender for the shared outbound consumer: the app's relay, paced per mailbox. */
export const EMAIL_SENDER: Provider = {
  provide: CHANNEL_SENDER,
  inject: [EMAIL_CONFIG, MAIL_SENDER, MAIL_THREADS, MEDIA_STORE, EmailMailboxes],
  useFactory: (config: EmailConfig, mail: MailSender, threads: MailThreads, media: MediaStore, mailboxes: EmailMailboxes): ChannelSender => ({
    transport: new EmailTransport(mail, threads, mailboxes, { fromName: config.EMAIL_FROM_NAME }, media),
    limits: { perAccountPerSecond: config.EMAIL_RATE_PER_SECOND },
    // One record at a time per partition, as before the shared consumer.
    keyConcurrency: 1,
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
    close: () => mail.close(),
  }),
};
