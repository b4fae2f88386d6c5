import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { Observable, from, map, mergeMap } from 'rxjs';
import { z } from 'zod';
import { ApiKeys, Caller, Permission, actingAgent, authorize } from '@omni/auth';
import { ConversationLookup } from '../desk/conversation-lookup';
import { ReplyToCustomerUseCase } from '../desk/reply-to-customer.use-case';
import { ConversationFeed } from '../live/conversation-feed';
import { GrpcErrorFilter } from './grpc-error.filter';
import { parse } from '@omni/contracts';

const SendMessage = z.object({
  conversationId: z.string().min(1).max(256), agentId: z.string().max(128).optional(), text: z.string().min(1).max(4096), idempotencyKey: z.string().max(256).optional(),
});
const ConversationRef = z.object({ conversationId: z.string().min(1).max(256) });

/** omni.router.v1.ConversationService (libs/contracts/proto/omni.proto): thin, like the REST controllers. */
@Controller()
@UseFilters(GrpcErrorFilter)
export class ConversationGrpcController {
  constructor(
    private readonly keys: ApiKeys,
    private readonly lookup: ConversationLookup,
    private readonly replies: ReplyToCustomerUseCase,
    private readonly feed: ConversationFeed,
  ) {}

  @GrpcMethod('ConversationService', 'SendMessage')
  async sendMessage(req: unknown, meta: Metadata): Promise<{ messageId: string }> {
    const caller = await this.caller(meta, 'conversations.reply');
    const r = parse(SendMessage, req, 'request');
    // proto3 has no absent string: '' = the key's own agent.
    const agentId = actingAgent(caller, r.agentId || undefined);
    const m = await this.replies.execute(caller.tenantId, r.conversationId, { agentId, text: r.text }, r.idempotencyKey || undefined);
    return { messageId: m._id };
  }

  @GrpcMethod('ConversationService', 'GetConversation')
  async getConversation(req: unknown, meta: Metadata): Promise<Record<string, unknown>> {
    const caller = await this.caller(meta, 'conversations.read');
    const c = await this.lookup.find(caller.tenantId, parse(ConversationRef, req, 'request').conversationId);
    return {
      id: c._id, tenantId: c.tenantId, channel: c.channel, state: c.state, version: c.version, agentId: c.agentId ?? '', groupId: c.groupId ?? '',
      language: c.language ?? '', lastMessageAt: c.lastMessageAt.toISOString(),
    };
  }

  @GrpcMethod('ConversationService', 'StreamConversationEvents')
  streamConversationEvents(req: { conversationId?: string }, meta: Metadata): Observable<Record<string, unknown>> {
    return from(this.caller(meta, 'events.read')).pipe(
      mergeMap((caller) => this.feed.of(caller.tenantId, req.conversationId || undefined)),
      map((e) => ({
        conversationId: e.conversationId, kind: e.kind, state: e.state, messageId: e.messageId ?? '', direction: e.direction ?? '', reason: e.reason ?? '', at: e.at,
      })),
    );
  }

  /** Each RPC declares its permission, as the REST routes do (AuthGuard has no HTTP request here). */
  private async caller(meta: Metadata, permission: Permission): Promise<Caller> {
    const caller = await this.keys.resolve(authorization(meta));
    authorize(caller, permission);
    return caller;
  }
}

function authorization(meta: Metadata): string | undefined {
  const v = meta.get('authorization')[0];
  return typeof v === 'string' ? v : v?.toString('utf8');
}
