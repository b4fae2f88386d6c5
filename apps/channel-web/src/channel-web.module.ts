import { Module } from '@nestjs/common';
import { TOPICS, outboundTopic } from '@omni/contracts';
import { MessagingModule } from '@omni/messaging';
import { EventSealingModule, PersistenceModule } from '@omni/persistence';
import { PlatformModule } from '@omni/platform';
import { ChatModule } from './chat/chat.module';
import { loadWebConfig } from './config';

const config = loadWebConfig();

@Module({
  imports: [
    PlatformModule.forRoot('channel-web'),
    MessagingModule.forRoot({ clientId: 'channel-web', topics: [TOPICS.inbound, TOPICS.status, outboundTopic('web')] }),
    PersistenceModule.forRoot(config.MONGODB_URI),
    // Crypto-shredding (ADR 0501): an opted-in tenant's events leave sealed and are opened on the way in.
    EventSealingModule.forRoot(config),
    ChatModule.register(config),
  ],
})
export class ChannelWebModule {}
