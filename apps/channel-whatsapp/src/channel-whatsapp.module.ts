import { Module } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { TOPICS, outboundTopic } from '@omni/contracts';
import { ChannelKitModule, ChannelMediaModule, ChannelOutboundConsumer } from '@omni/channel-kit';
import { MessagingModule } from '@omni/messaging';
import { EventSealingModule, PersistenceModule } from '@omni/persistence';
import { PlatformModule } from '@omni/platform';
import { Envelopes, kmsFromConfig } from '@omni/secrets';
import { WHATSAPP_CONFIG, loadWhatsAppConfig } from './config';
import { WhatsAppMediaSource } from './media/whatsapp-media.source';
import { LinkedDeviceController } from './linked-device/linked-device.controller';
import { LinkedDeviceManager } from './linked-device/linked-device.manager';
import { ReceiveLinkedMessageUseCase } from './linked-device/receive-linked-message.use-case';
import { ACCOUNT_LEASE, MongoAccountLease } from './linked-device/account-lease';
import { CATCH_UP_CURSOR, MongoCatchUpCursor } from './linked-device/catch-up.cursor';
import { WEB_CLIENT_FACTORY, whatsappWebClientFactory } from './linked-device/web-client';
import { SEND_CONTEXT, StoredSendContext } from './outbound/conversation-context';
import { WHATSAPP_SENDER } from './outbound/whatsapp-sender';
import { ReceiveWhatsAppWebhookUseCase } from './webhook/receive-whatsapp-webhook.use-case';
import { WhatsAppAccounts } from './accounts/whatsapp-accounts';
import { WhatsAppWebhookController } from './webhook/whatsapp-webhook.controller';

const config = loadWhatsAppConfig();

@Module({
  imports: [
    PlatformModule.forRoot('channel-whatsapp', { accessLog: 'failures' }),
    MessagingModule.forRoot({ clientId: 'channel-whatsapp', topics: [TOPICS.inbound, TOPICS.status, outboundTopic('whatsapp')] }),
    PersistenceModule.forRoot(config.MONGODB_URI),
    // Crypto-shredding of inbound message events for tenants that opted in (ADR 0501).
    EventSealingModule.forRoot(config),
    ChannelKitModule,
    ChannelMediaModule.forRoot(config),
  ],
  controllers: [WhatsAppWebhookController, LinkedDeviceController],
  providers: [
    { provide: WHATSAPP_CONFIG, useValue: config },
    { provide: SEND_CONTEXT, useClass: StoredSendContext },
    WhatsAppMediaSource,
    { provide: Envelopes, useFactory: () => new Envelopes(kmsFromConfig(config)) },
    WhatsAppAccounts,
    ReceiveWhatsAppWebhookUseCase,
    WHATSAPP_SENDER,
    ChannelOutboundConsumer,
    // Linked-device mode (ADR 0421): idle unless WHATSAPP_WEB_ACCOUNTS names accounts.
    { provide: WEB_CLIENT_FACTORY, inject: [getConnectionToken()], useFactory: (connection: Connection) => whatsappWebClientFactory(config, connection) },
    { provide: ACCOUNT_LEASE, inject: [getConnectionToken()], useFactory: (connection: Connection) => new MongoAccountLease(connection, config.WHATSAPP_WEB_LEASE_TTL_MS) },
    { provide: CATCH_UP_CURSOR, inject: [getConnectionToken()], useFactory: (connection: Connection) => new MongoCatchUpCursor(connection) },
    ReceiveLinkedMessageUseCase,
    LinkedDeviceManager,
  ],
})
export class ChannelWhatsAppModule {}
