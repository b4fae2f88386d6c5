import { Global, Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { ConversationFeed } from './conversation-feed';
import { EventsController } from './events.controller';

@Global()
@Module({ imports: [ApiModule], controllers: [EventsController], providers: [ConversationFeed], exports: [ConversationFeed] })
export class LiveModule {}
