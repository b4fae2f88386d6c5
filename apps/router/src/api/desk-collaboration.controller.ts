import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CannedResponseDoc, ConversationNoteDoc } from '@omni/persistence';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';
import { DeskCollaboration, Viewing } from '../desk/collaboration';

const NoteBody = z.object({ text: z.string().trim().min(1).max(4096) }).strict();
const ViewingBody = z.object({ typing: z.boolean().default(false) }).strict();
const Shortcut = z.string().regex(/^[\p{L}\p{N}_-]{1,32}$/u, 'shortcut: 1-32 letters, digits, _ or -');
const Language = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'language: a BCP 47 tag such as en or pt-BR');
const CannedBody = z.object({ text: z.string().trim().min(1).max(4096) }).strict();
const CannedQuery = z.object({ language: Language.optional() }).strict();
const CannedKey = z.object({ shortcut: Shortcut, language: Language });

/** Internal notes and collision detection on a conversation (ADR 0700): the desk's people only. */
@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/conversations/:id')
export class ConversationDeskController {
  constructor(private readonly desk: DeskCollaboration) {}

  @Get('notes')
  @Requires('conversations.notes')
  @ApiOperation({ summary: 'The conversation’s internal notes, oldest first (never shown to the customer)' })
  notes(@CallerOf() caller: Caller, @Param('id') id: string): Promise<ConversationNoteDoc[]> {
    return this.desk.notesOf(caller, id);
  }

  @Post('notes')
  @Requires('conversations.notes')
  @ApiOperation({ summary: 'Add an internal note for the other agents (stored apart from messages: never sent to the customer)' })
  @ApiBody({ schema: openApi(NoteBody) })
  addNote(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown): Promise<ConversationNoteDoc> {
    return this.desk.addNote(caller, id, parse(NoteBody, body, 'body').text);
  }

  @Put('viewers/me')
  @Requires('conversations.presence')
  @ApiOperation({ summary: 'Heartbeat while the conversation is open (every few seconds, and when typing starts or stops); answers who else views or types, and the notes count' })
  @ApiBody({ schema: openApi(ViewingBody) })
  view(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown): Promise<Viewing> {
    return this.desk.view(caller, id, parse(ViewingBody, body ?? {}, 'body').typing);
  }

  @Delete('viewers/me')
  @Requires('conversations.presence')
  @HttpCode(204)
  @ApiOperation({ summary: 'The conversation was closed: the others stop seeing this viewer at once' })
  leave(@CallerOf() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.desk.leave(caller, id);
  }
}

/** The tenant's canned responses, one text per shortcut and language (ADR 0700). */
@ApiTags('canned-responses')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/canned-responses')
export class CannedResponsesController {
  constructor(private readonly desk: DeskCollaboration) {}

  @Get()
  @Requires('canned-responses.read')
  @ApiOperation({ summary: 'The tenant’s canned responses (optionally in one language), by shortcut' })
  @ApiQuery({ name: 'language', required: false })
  list(@CallerOf() caller: Caller, @Query() query: unknown): Promise<CannedResponseDoc[]> {
    return this.desk.cannedResponses(caller, parse(CannedQuery, query, 'query').language);
  }

  @Put(':shortcut/:language')
  @Requires('canned-responses.write')
  @ApiOperation({ summary: 'Create or replace the canned response of a shortcut in a language' })
  @ApiBody({ schema: openApi(CannedBody) })
  put(@CallerOf() caller: Caller, @Param() params: unknown, @Body() body: unknown): Promise<CannedResponseDoc> {
    const { shortcut, language } = parse(CannedKey, params, 'path');
    return this.desk.putCannedResponse(caller, shortcut, language, parse(CannedBody, body, 'body').text);
  }

  @Delete(':shortcut/:language')
  @Requires('canned-responses.write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the canned response of a shortcut in a language' })
  remove(@CallerOf() caller: Caller, @Param() params: unknown): Promise<void> {
    const { shortcut, language } = parse(CannedKey, params, 'path');
    return this.desk.removeCannedResponse(caller, shortcut, language);
  }
}
