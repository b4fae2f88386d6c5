import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WORKFLOW_RUN_REPOSITORY, WorkflowRunDoc, WorkflowRunRepository } from '@omni/persistence';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { ConversationLookup } from '../desk/conversation-lookup';

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/conversations')
export class WorkflowsController {
  constructor(
    @Inject(WORKFLOW_RUN_REPOSITORY) private readonly runs: WorkflowRunRepository,
    private readonly conversations: ConversationLookup,
  ) {}

  @Get(':id/workflows')
  @Requires('conversations.read')
  @ApiOperation({ summary: 'The automation workflows run in the conversation: steps with inputs, results or errors, and the outcome' })
  async list(@CallerOf() caller: Caller, @Param('id') id: string): Promise<WorkflowRunDoc[]> {
    await this.conversations.find(caller.tenantId, id);
    return this.runs.ofConversation(id);
  }
}
