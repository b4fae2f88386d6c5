import { hostname } from 'node:os';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TOPICS, outboundTopic } from '@omni/contracts';
import { ChannelKitModule, ChannelMediaModule, ChannelOutboundConsumer } from '@omni/channel-kit';
import { MessagingModule } from '@omni/messaging';
import { EventSealingModule, PersistenceModule } from '@omni/persistence';
import { PlatformModule } from '@omni/platform';
import { rootLogger } from '@omni/telemetry';
import { EMAIL_CONFIG, loadEmailConfig } from './config';
import { EmailMailboxes } from './accounts/email-mailboxes';
import { ImapMailboxWatcher } from './inbound/imap-mailbox.watcher';
import { ReceiveMailUseCase } from './inbound/receive-mail.use-case';
import { MAIL_AUTHENTICATE, NOT_CHECKED, mailauthAuthenticator } from './inbound/sender-auth';
import { SmtpInboundServer } from './inbound/smtp-inbound.server';
import { EMAIL_SENDER } from './outbound/email-sender';
import { MAIL_SENDER, nodemailerSender } from './outbound/mail-sender';
import { MAIL_THREADS, MailThreadSchema, MongoMailThreads } from './threads/mail-thread.store';

const config = loadEmailConfig();

@Module({
  imports: [
    PlatformModule.forRoot('channel-email'),
    MessagingModule.forRoot({ clientId: 'channel-email', topics: [TOPICS.inbound, TOPICS.status, outboundTopic('email')] }),
    PersistenceModule.forRoot(config.MONGODB_URI),
    // Crypto-shredding (ADR 0501): an opted-in tenant's events leave sealed and are opened on the way in.
    EventSealingModule.forRoot(config),
    MongooseModule.forFeature([{ name: 'MailThread', schema: MailThreadSchema }]),
    ChannelKitModule,
    ChannelMediaModule.forRoot(config),
  ],
  providers: [
    { provide: EMAIL_CONFIG, useValue: config },
    { provide: MAIL_SENDER, useValue: nodemailerSender(config) },
    { provide: MAIL_THREADS, useClass: MongoMailThreads },
    {
      provide: MAIL_AUTHENTICATE,
      useFactory: () => {
        const check = mailauthAuthenticator({ mta: hostname(), timeoutMs: config.EMAIL_AUTH_TIMEOUT_MS });
        if (check) return check;
        rootLogger().warn({ app: 'channel-email' }, 'mailauth is not installed: no inbound sender is verified (DKIM/SPF/DMARC unchecked, docs/security.md)');
        return NOT_CHECKED;
      },
    },
    EmailMailboxes,
    ReceiveMailUseCase,
    SmtpInboundServer,
    ImapMailboxWatcher,
    EMAIL_SENDER,
    ChannelOutboundConsumer,
  ],
})
export class ChannelEmailModule {}
