import { Module } from '@nestjs/common';
import { AgentsController } from './agents.controller';
import { ConversationsController } from './conversations.controller';
import { TenancyModule } from '../tenancy/tenancy.module';

/** The agent REST API's controllers; what they do is in desk/ (one use case per state change). */
@Module({ imports: [TenancyModule], controllers: [ConversationsController, AgentsController] })
export class ApiModule {}
