import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CONVERSATION_STATES, ChannelSchema } from '@omni/contracts';
import { CONVERSATION_REPOSITORY, ConversationDoc, ConversationRepository, MESSAGE_REPOSITORY, MessageDoc, MessageRepository } from '@omni/persistence';
import { AuthGuard, Caller, CallerOf, Requires, actingAgent, mayActOnAgent } from '@omni/auth';
import { AssignConversationUseCase } from '../desk/assign-conversation.use-case';
import { ConversationLookup } from '../desk/conversation-lookup';
import { CorrectIntentUseCase, IntentCorrection } from '../desk/correct-intent.use-case';
import { ReplyToCustomerUseCase } from '../desk/reply-to-customer.use-case';
import { ResolveConversationUseCase } from '../desk/resolve-conversation.use-case';
import { TransferToQueueUseCase } from '../desk/transfer-to-queue.use-case';
import { ReplyAttachmentSchema } from '../media/reply-attachments';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';

const ListQuery = z.object({
  state: z.enum(CONVERSATION_STATES).optional(),
  groupId: z.string().min(1).max(128).optional(),
  agentId: z.string().min(1).max(128).optional(),
  channel: ChannelSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const ReplyBody = z.object({
  /** Only for an admin's or supervisor's key that acts as no agent; otherwise the key's agent writes (and a different one here is 403). */
  agentId: z.string().min(1).max(128).optional(),
  text: z.string().min(1).max(4096).optional(),
  /** Files (ADR 0424): public https URLs, or files uploaded with POST /v1/media (by storeId). */
  attachments: z.array(ReplyAttachmentSchema).min(1).max(10).optional(),
}).strict().refine((b) => b.text !== undefined || b.attachments !== undefined, { message: 'a reply needs text or attachments', path: ['text'] });
const AssignBody = z.object({ agentId: z.string().min(1).max(128), groupId: z.string().min(1).max(128).optional(), reason: z.string().max(512).optional() }).strict();
const CorrectionBody = z.object({
  /** The intent the customer's message really had (one of the tenant's intents, to be trained on). */
  label: z.string().trim().min(1).max(128).regex(/^[\p{L}\p{N}_.:-]+$/u, 'label must be an intent name'),
  /** Also add the message's text (entities masked) to the tenant's training data and retrain. */
  train: z.boolean().default(false),
}).strict();
const TransferBody = z.object({ groupId: z.string().min(1).max(128), reason: z.string().max(512).optional() }).strict();

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/conversations')
export class ConversationsController {
  constructor(
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    private readonly lookup: ConversationLookup,
    private readonly replies: ReplyToCustomerUseCase,
    private readonly resolution: ResolveConversationUseCase,
    private readonly assignment: AssignConversationUseCase,
    private readonly transfers: TransferToQueueUseCase,
    private readonly corrections: CorrectIntentUseCase,
  ) {}

  @Get()
  @Requires('conversations.read')
  @ApiOperation({ summary: 'List the tenant’s conversations, newest activity first' })
  @ApiQuery({ name: 'state', required: false, enum: CONVERSATION_STATES })
  @ApiQuery({ name: 'groupId', required: false })
  @ApiQuery({ name: 'agentId', required: false })
  @ApiQuery({ name: 'channel', required: false, enum: ChannelSchema.options })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } })
  list(@CallerOf() caller: Caller, @Query() query: unknown): Promise<ConversationDoc[]> {
    const { limit, ...filter } = parse(ListQuery, query, 'query');
    return this.conversations.list(caller.tenantId, filter, limit);
  }

  @Get(':id')
  @Requires('conversations.read')
  @ApiOperation({ summary: 'One conversation, with its owner, routing explanation and handoff summary' })
  get(@CallerOf() caller: Caller, @Param('id') id: string): Promise<ConversationDoc> {
    return this.lookup.find(caller.tenantId, id);
  }

  @Get(':id/messages')
  @Requires('conversations.read')
  @ApiOperation({ summary: 'The conversation’s messages, oldest first (last 200)' })
  async history(@CallerOf() caller: Caller, @Param('id') id: string): Promise<MessageDoc[]> {
    await this.lookup.find(caller.tenantId, id);
    return this.messages.history(id, 200);
  }

  @Post(':id/messages')
  @Requires('conversations.reply')
  @ApiOperation({ summary: 'Send an agent reply through the conversation’s channel' })
  @ApiBody({ schema: openApi(ReplyBody) })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried request with the same key sends one message' })
  reply(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown, @Headers('idempotency-key') key?: string): Promise<MessageDoc> {
    const { agentId, ...reply } = parse(ReplyBody, body, 'body');
    return this.replies.execute(caller.tenantId, id, { ...reply, agentId: actingAgent(caller, agentId) }, key);
  }

  @Post(':id/messages/:messageId/intent')
  @Requires('conversations.correct-intent')
  @HttpCode(202)
  @ApiOperation({ summary: 'Correct the intent the bot read in a customer’s message (optionally adding it to the training data)' })
  @ApiBody({ schema: openApi(CorrectionBody) })
  correct(@CallerOf() caller: Caller, @Param('id') id: string, @Param('messageId') messageId: string, @Body() body: unknown): Promise<IntentCorrection> {
    return this.corrections.execute(caller.tenantId, id, messageId, parse(CorrectionBody, body, 'body'));
  }

  @Post(':id/resolve')
  @Requires('conversations.resolve')
  @ApiOperation({ summary: 'Resolve the conversation (frees the agent’s slot)' })
  resolve(@CallerOf() caller: Caller, @Param('id') id: string, @Headers('idempotency-key') key?: string): Promise<ConversationDoc> {
    return this.resolution.execute(caller.tenantId, id, key ?? randomUUID());
  }

  @Post(':id/assign')
  @Requires('conversations.assign')
  @ApiOperation({ summary: 'Assign to an agent: take over from the bot or the queue, or transfer from another agent' })
  @ApiBody({ schema: openApi(AssignBody) })
  assign(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown, @Headers('idempotency-key') key?: string): Promise<ConversationDoc> {
    const input = parse(AssignBody, body, 'body');
    // An agent takes a conversation for itself; assigning someone else is a supervisor's.
    mayActOnAgent(caller, input.agentId);
    return this.assignment.execute(caller.tenantId, id, input, key ?? randomUUID());
  }

  @Post(':id/transfer')
  @Requires('conversations.transfer')
  @ApiOperation({ summary: 'Transfer from the agent to a group’s queue' })
  @ApiBody({ schema: openApi(TransferBody) })
  transfer(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown, @Headers('idempotency-key') key?: string): Promise<ConversationDoc> {
    return this.transfers.execute(caller.tenantId, id, parse(TransferBody, body, 'body'), key ?? randomUUID());
  }
}
