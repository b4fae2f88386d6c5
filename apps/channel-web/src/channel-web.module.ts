import { Module } from '@nestjs/common';
import { TOPICS, outboundTopic } from '@omni/contracts';
import { MessagingModule } from '@omni/messaging';
import { PersistenceModule } from '@omni/persistence';
import { PlatformModule } from '@omni/platform';
import { ChatModule } from './chat/chat.module';
import { loadWebConfig } from './config';

const config = loadWebConfig();

@Module({
  imports: [
    PlatformModule.forRoot('channel-web'),
    MessagingModule.forRoot({ clientId: 'channel-web', topics: [TOPICS.inbound, TOPICS.status, outboundTopic('web')] }),
    PersistenceModule.forRoot(config.MONGODB_URI),
    ChatModule.register(config),
  ],
})
export class ChannelWebModule {}
