import { Module } from '@nestjs/common';
import { AgentsController } from './agents.controller';
import { ConversationsController } from './conversations.controller';
import { TenancyModule } from '../tenancy/tenancy.module';
import { CannedResponsesController, ConversationDeskController } from './desk-collaboration.controller';

/** The agent REST API's controllers; what they do is in desk/ (one use case per state change). */
@Module({ imports: [TenancyModule], controllers: [ConversationsController, ConversationDeskController, CannedResponsesController, AgentsController] })
export class ApiModule {}
