import { Module } from '@nestjs/common';
import { TOPICS, outboundTopic } from '@omni/contracts';
import { ChannelKitModule, ChannelMediaModule, ChannelOutboundConsumer } from '@omni/channel-kit';
import { MessagingModule } from '@omni/messaging';
import { EventSealingModule, PersistenceModule } from '@omni/persistence';
import { PlatformModule } from '@omni/platform';
import { Envelopes, kmsFromConfig } from '@omni/secrets';
import { BOT_API_FACTORY, TelegramBots } from './accounts/telegram-bots';
import { TELEGRAM_CONFIG, loadTelegramConfig } from './config';
import { telegrafBotApi } from './outbound/bot-api';
import { REPLY_TARGETS, StoredReplyTargets } from './outbound/reply-target';
import { TELEGRAM_SENDER } from './outbound/telegram-sender';
import { TelegramMediaSource } from './media/telegram-media.source';
import { ReceiveTelegramUpdateUseCase } from './webhook/receive-telegram-update.use-case';
import { TelegramWebhookController } from './webhook/telegram-webhook.controller';

const config = loadTelegramConfig();

@Module({
  imports: [
    PlatformModule.forRoot('channel-telegram', { accessLog: 'failures' }),
    MessagingModule.forRoot({ clientId: 'channel-telegram', topics: [TOPICS.inbound, TOPICS.status, outboundTopic('telegram')] }),
    PersistenceModule.forRoot(config.MONGODB_URI),
    // Crypto-shredding of inbound message events for tenants that opted in (ADR 0501).
    EventSealingModule.forRoot(config),
    ChannelKitModule,
    ChannelMediaModule.forRoot(config),
  ],
  controllers: [TelegramWebhookController],
  providers: [
    { provide: TELEGRAM_CONFIG, useValue: config },
    { provide: BOT_API_FACTORY, useValue: (botToken: string) => telegrafBotApi({ ...config, TELEGRAM_BOT_TOKEN: botToken }) },
    { provide: Envelopes, useFactory: () => new Envelopes(kmsFromConfig(config)) },
    TelegramBots,
    { provide: REPLY_TARGETS, useClass: StoredReplyTargets },
    TelegramMediaSource,
    ReceiveTelegramUpdateUseCase,
    TELEGRAM_SENDER,
    ChannelOutboundConsumer,
  ],
})
export class ChannelTelegramModule {}
