import type { CannedResponseDoc, ConversationNoteDoc, ConversationViewerDoc } from './desk.schemas';

export interface ConversationNoteRepository {
  insert(note: ConversationNoteDoc): Promise<void>;
  /** A conversation's notes, oldest first. */
  of(tenantId: string, conversationId: string, limit: number): Promise<ConversationNoteDoc[]>;
  count(tenantId: string, conversationId: string): Promise<number>;
}

export interface ConversationViewerRepository {
  /** Records (or refreshes) one viewer's heartbeat. */
  beat(viewer: ConversationViewerDoc): Promise<void>;
  /** The viewers whose last heartbeat is after `since`. */
  active(tenantId: string, conversationId: string, since: Date): Promise<ConversationViewerDoc[]>;
  /** The viewer closed the conversation. */
  leave(tenantId: string, id: string): Promise<void>;
}

export interface CannedResponseRepository {
  put(doc: CannedResponseDoc): Promise<void>;
  list(tenantId: string, language?: string): Promise<CannedResponseDoc[]>;
  remove(tenantId: string, id: string): Promise<boolean>;
}

export const CONVERSATION_NOTE_REPOSITORY = Symbol('ConversationNoteRepository');
export const CONVERSATION_VIEWER_REPOSITORY = Symbol('ConversationViewerRepository');
export const CANNED_RESPONSE_REPOSITORY = Symbol('CannedResponseRepository');
