import { Module } from '@nestjs/common';
import { AgentsController } from './agents.controller';
import { AssignmentActions } from './assignment-actions';
import { ConversationActions } from './conversation-actions';
import { IntentCorrections } from './intent-corrections';
import { ConversationsController } from './conversations.controller';
import { MediaModule } from '../media/media.module';

@Module({
  imports: [MediaModule],
  controllers: [ConversationsController, AgentsController],
  providers: [ConversationActions, AssignmentActions, IntentCorrections],
  exports: [ConversationActions],
})
export class ApiModule {}
