import { Global, Module } from '@nestjs/common';
import { ConversationEvents } from './conversation-events';

@Global()
@Module({ providers: [ConversationEvents], exports: [ConversationEvents] })
export class ConversationsModule {}
