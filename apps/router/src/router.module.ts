import { Module } from '@nestjs/common';
import { CHANNELS, TOPICS, outboundTopic } from '@omni/contracts';
import { MessagingModule } from '@omni/messaging';
import { PersistenceModule } from '@omni/persistence';
import { PlatformModule } from '@omni/platform';
import { loadRouterConfig } from './config';
import { ConversationsModule } from './conversations/conversations.module';
import { HandoffModule } from './handoff/handoff.module';
import { InboundModule } from './inbound/inbound.module';
import { RepliesModule } from './replies/replies.module';
import { StatusesModule } from './statuses/statuses.module';

const config = loadRouterConfig();

@Module({
  imports: [
    PlatformModule.forRoot('router'),
    MessagingModule.forRoot({
      clientId: 'router',
      topics: [TOPICS.inbound, TOPICS.status, TOPICS.aiRequest, TOPICS.aiResult, TOPICS.conversation, ...CHANNELS.map(outboundTopic)],
    }),
    PersistenceModule.forRoot(config.MONGODB_URI),
    ConversationsModule,
    HandoffModule,
    InboundModule,
    RepliesModule,
    StatusesModule,
  ],
})
export class RouterModule {}
