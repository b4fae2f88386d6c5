import { Schema } from 'mongoose';

export interface RecentTurn {
  /** The stored message's id (idempotent appends). */
  id: string;
  role: 'customer' | 'bot' | 'agent';
  text: string;
  at: Date;
}

/**
 * Legacy: the last turns of a conversation, a copy that older versions kept for the AI request's
 * context while the local store scanned every query (ADR 0006). Nothing writes it any more — the
 * history is read from `messages` (ADR 0010, 0011) — but data written before may hold message texts,
 * so a data subject's erasure still deletes it.
 */
export interface ConversationRecentDoc {
  _id: string;
  tenantId: string;
  turns: RecentTurn[];
}

export const ConversationRecentSchema = new Schema<ConversationRecentDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    turns: { type: [{ _id: false, id: String, role: String, text: String, at: Date }], default: [] },
  },
  { versionKey: false, collection: 'conversation_recent' },
);
// Only lookups by _id (the conversation id): no secondary index.
