import { Module } from '@nestjs/common';
import { TOPICS, outboundTopic } from '@omni/contracts';
import { ChannelKitModule, ChannelMediaModule, ChannelOutboundConsumer } from '@omni/channel-kit';
import { MessagingModule } from '@omni/messaging';
import { EventSealingModule, PersistenceModule } from '@omni/persistence';
import { PlatformModule } from '@omni/platform';
import { Envelopes, kmsFromConfig } from '@omni/secrets';
import { MessengerAccounts } from './accounts/messenger-accounts';
import { MESSENGER_CONFIG, loadMessengerConfig } from './config';
import { LAST_INBOUND, StoredLastInbound } from './outbound/conversation-window';
import { MESSENGER_SENDER } from './outbound/messenger-sender';
import { MessengerWebhookController } from './webhook/messenger-webhook.controller';
import { MessengerMediaSource } from './media/messenger-media.source';
import { ReceiveMessengerWebhookUseCase } from './webhook/receive-messenger-webhook.use-case';
import { MessengerStatusResolver } from './webhook/status-resolver';

const config = loadMessengerConfig();

@Module({
  imports: [
    PlatformModule.forRoot('channel-messenger', { accessLog: 'failures' }),
    MessagingModule.forRoot({ clientId: 'channel-messenger', topics: [TOPICS.inbound, TOPICS.status, outboundTopic('messenger')] }),
    PersistenceModule.forRoot(config.MONGODB_URI),
    // Crypto-shredding of inbound message events for tenants that opted in (ADR 0501).
    EventSealingModule.forRoot(config),
    ChannelKitModule,
    ChannelMediaModule.forRoot(config),
  ],
  controllers: [MessengerWebhookController],
  providers: [
    { provide: MESSENGER_CONFIG, useValue: config },
    { provide: LAST_INBOUND, useClass: StoredLastInbound },
    MessengerStatusResolver,
    MessengerMediaSource,
    { provide: Envelopes, useFactory: () => new Envelopes(kmsFromConfig(config)) },
    MessengerAccounts,
    ReceiveMessengerWebhookUseCase,
    MESSENGER_SENDER,
    ChannelOutboundConsumer,
  ],
})
export class ChannelMessengerModule {}
