import { Schema } from 'mongoose';

/** Who wrote a note or is viewing a conversation: the signed-in person, or the key acting. */
export interface DeskAuthor {
  /** A person's id (`p_…`), else `key:<keyName>`. */
  id: string;
  name: string;
  agentId?: string;
}

const AuthorSchema = new Schema<DeskAuthor>({ id: { type: String, required: true }, name: { type: String, required: true }, agentId: String }, { _id: false });

/** An internal note on a conversation (ADR 0700): for the tenant's agents only, never sent to the customer. */
export interface ConversationNoteDoc {
  _id: string;
  tenantId: string;
  conversationId: string;
  author: DeskAuthor;
  text: string;
  at: Date;
}

export const ConversationNoteSchema = new Schema<ConversationNoteDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    author: { type: AuthorSchema, required: true },
    text: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'conversation_notes' },
);
ConversationNoteSchema.index({ tenantId: 1, conversationId: 1, at: 1 });

/** Someone has a conversation open (collision detection): refreshed by a heartbeat, stale after a few seconds. */
export interface ConversationViewerDoc {
  /** `<conversationId>:<author id>`: one row per person and conversation. */
  _id: string;
  tenantId: string;
  conversationId: string;
  author: DeskAuthor;
  typing: boolean;
  at: Date;
}

export const ConversationViewerSchema = new Schema<ConversationViewerDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    author: { type: AuthorSchema, required: true },
    typing: { type: Boolean, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'conversation_viewers' },
);
ConversationViewerSchema.index({ tenantId: 1, conversationId: 1, at: -1 });

/** A tenant's canned response: one text per shortcut and language (unique), managed by admins and supervisors. */
export interface CannedResponseDoc {
  /** `<tenantId>:<shortcut>:<language>`. */
  _id: string;
  tenantId: string;
  shortcut: string;
  language: string;
  text: string;
  by: string;
  updatedAt: Date;
}

export const CannedResponseSchema = new Schema<CannedResponseDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    shortcut: { type: String, required: true },
    language: { type: String, required: true },
    text: { type: String, required: true },
    by: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'canned_responses' },
);
CannedResponseSchema.index({ tenantId: 1, language: 1, shortcut: 1 });
