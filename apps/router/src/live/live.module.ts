import { Global, Module } from '@nestjs/common';
import { ConversationFeed } from './conversation-feed';
import { EventsController } from './events.controller';

@Global()
@Module({ controllers: [EventsController], providers: [ConversationFeed], exports: [ConversationFeed] })
export class LiveModule {}
