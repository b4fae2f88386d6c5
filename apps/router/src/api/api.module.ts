import { Module } from '@nestjs/common';
import { AgentsController } from './agents.controller';
import { AssignmentActions } from './assignment-actions';
import { ApiKeyBootstrap, ApiKeyGuard, ApiKeys } from './auth';
import { ConversationActions } from './conversation-actions';
import { ConversationsController } from './conversations.controller';

@Module({
  controllers: [ConversationsController, AgentsController],
  providers: [ApiKeys, ApiKeyGuard, ApiKeyBootstrap, ConversationActions, AssignmentActions],
  exports: [ApiKeys, ConversationActions],
})
export class ApiModule {}
