import { Controller, MessageEvent, Query, Sse, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Observable, map } from 'rxjs';
import { z } from 'zod';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { ConversationFeed } from './conversation-feed';
import { parse } from '@omni/contracts';

/** Server-sent events of conversation changes for agent UIs (one `conversation` event per change). */
@ApiTags('events')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/events')
export class EventsController {
  constructor(private readonly feed: ConversationFeed) {}

  @Sse()
  @Requires('events.read')
  @ApiOperation({ summary: 'Live conversation changes of the tenant (text/event-stream), from the moment of connecting' })
  @ApiQuery({ name: 'conversationId', required: false })
  stream(@CallerOf() caller: Caller, @Query() query: unknown): Observable<MessageEvent> {
    const { conversationId } = parse(z.object({ conversationId: z.string().min(1).max(256).optional() }), query, 'query');
    return this.feed.of(caller.tenantId, conversationId).pipe(map((e) => ({ type: 'conversation', data: e })));
  }
}
