import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@omni/auth';
import {
  CANNED_RESPONSE_REPOSITORY, CONVERSATION_NOTE_REPOSITORY, CONVERSATION_VIEWER_REPOSITORY, CannedResponseDoc, CannedResponseRepository, ConversationNoteDoc,
  ConversationNoteRepository, ConversationViewerRepository, DeskAuthor,
} from '@omni/persistence';
import { NotFoundError } from '@omni/contracts';
import { ConversationLookup } from './conversation-lookup';

/** A heartbeat older than this is someone who closed the tab without saying so. */
export const VIEWER_FRESH_MS = 12_000;

export interface Viewer { id: string; name: string; agentId?: string; typing: boolean; at: Date }
export interface Viewing { others: Viewer[]; notes: number }

/** Who a caller is to the others at the desk: the signed-in person, or the key. */
export function authorOf(caller: Caller): DeskAuthor {
  return {
    id: caller.personId ?? `key:${caller.keyId ?? caller.keyName}`,
    name: caller.personName ?? caller.keyName,
    ...(caller.agentId ? { agentId: caller.agentId } : {}),
  };
}

/**
 * What agents share about a conversation besides the conversation itself (ADR 0700): internal notes
 * (stored apart from messages, so nothing can send one to the customer), who else has it open or is
 * typing (a heartbeat per person, read by the others with their own heartbeat: every router replica
 * sees the same rows), and the tenant's canned responses.
 */
@Injectable()
export class DeskCollaboration {
  constructor(
    private readonly lookup: ConversationLookup,
    @Inject(CONVERSATION_NOTE_REPOSITORY) private readonly notes: ConversationNoteRepository,
    @Inject(CONVERSATION_VIEWER_REPOSITORY) private readonly viewers: ConversationViewerRepository,
    @Inject(CANNED_RESPONSE_REPOSITORY) private readonly canned: CannedResponseRepository,
  ) {}

  async addNote(caller: Caller, conversationId: string, text: string, now = new Date()): Promise<ConversationNoteDoc> {
    await this.lookup.find(caller.tenantId, conversationId);
    const note: ConversationNoteDoc = { _id: `note_${randomUUID()}`, tenantId: caller.tenantId, conversationId, author: authorOf(caller), text, at: now };
    await this.notes.insert(note);
    return note;
  }

  async notesOf(caller: Caller, conversationId: string): Promise<ConversationNoteDoc[]> {
    await this.lookup.find(caller.tenantId, conversationId);
    return this.notes.of(caller.tenantId, conversationId, 500);
  }

  /** The caller's heartbeat; answers the others viewing (and whether they type) and how many notes there are. */
  async view(caller: Caller, conversationId: string, typing: boolean, now = new Date()): Promise<Viewing> {
    await this.lookup.find(caller.tenantId, conversationId);
    const author = authorOf(caller);
    await this.viewers.beat({ _id: `${conversationId}:${author.id}`, tenantId: caller.tenantId, conversationId, author, typing, at: now });
    const [active, notes] = await Promise.all([
      this.viewers.active(caller.tenantId, conversationId, new Date(now.getTime() - VIEWER_FRESH_MS)),
      this.notes.count(caller.tenantId, conversationId),
    ]);
    const others = active.filter((v) => v.author.id !== author.id).map((v) => ({ ...v.author, typing: v.typing, at: v.at }));
    return { others, notes };
  }

  async leave(caller: Caller, conversationId: string): Promise<void> {
    await this.lookup.find(caller.tenantId, conversationId);
    await this.viewers.leave(caller.tenantId, `${conversationId}:${authorOf(caller).id}`);
  }

  cannedResponses(caller: Caller, language?: string): Promise<CannedResponseDoc[]> {
    return this.canned.list(caller.tenantId, language);
  }

  async putCannedResponse(caller: Caller, shortcut: string, language: string, text: string, now = new Date()): Promise<CannedResponseDoc> {
    const doc: CannedResponseDoc = { _id: `${caller.tenantId}:${shortcut}:${language}`, tenantId: caller.tenantId, shortcut, language, text, by: authorOf(caller).name, updatedAt: now };
    await this.canned.put(doc);
    return doc;
  }

  async removeCannedResponse(caller: Caller, shortcut: string, language: string): Promise<void> {
    if (!(await this.canned.remove(caller.tenantId, `${caller.tenantId}:${shortcut}:${language}`))) throw new NotFoundError(`canned response ${shortcut} (${language})`);
  }
}
