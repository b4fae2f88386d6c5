import { Controller, MessageEvent, Query, Sse, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Observable, map } from 'rxjs';
import { z } from 'zod';
import { ApiKeyGuard, Caller, CallerOf } from '../api/auth';
import { parse } from '../api/validation';
import { ConversationFeed } from './conversation-feed';

/** Server-sent events of conversation changes for agent UIs (one `conversation` event per change). */
@ApiTags('events')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/events')
export class EventsController {
  constructor(private readonly feed: ConversationFeed) {}

  @Sse()
  @ApiOperation({ summary: 'Live conversation changes of the tenant (text/event-stream), from the moment of connecting' })
  @ApiQuery({ name: 'conversationId', required: false })
  stream(@CallerOf() caller: Caller, @Query() query: unknown): Observable<MessageEvent> {
    const { conversationId } = parse(z.object({ conversationId: z.string().min(1).max(256).optional() }), query, 'query');
    return this.feed.of(caller.tenantId, conversationId).pipe(map((e) => ({ type: 'conversation', data: e })));
  }
}
