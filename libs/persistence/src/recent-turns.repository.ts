import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import { isDuplicateKey } from './mongo-errors';

export interface RecentTurn {
  /** The stored message's id (idempotent appends). */
  id: string;
  role: 'customer' | 'bot' | 'agent';
  text: string;
  at: Date;
}

/**
 * The last turns of a conversation, one document per conversation read and written by `_id`: the AI
 * request's context without a query by conversation over `messages` (which FerretDB answers by
 * scanning the whole collection, ADR 0006). A derived copy: `messages` stays the record.
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

export interface RecentTurnsRepository {
  /**
   * Adds a turn (once per id) and keeps the newest `keep`; returns the turns stored before it, or
   * null when the conversation had no such document yet.
   */
  append(tenantId: string, conversationId: string, turn: RecentTurn, keep: number): Promise<RecentTurn[] | null>;
}

export const RECENT_TURNS_REPOSITORY = Symbol('RecentTurnsRepository');

@Injectable()
export class MongoRecentTurnsRepository implements RecentTurnsRepository {
  constructor(@InjectModel('ConversationRecent') private readonly model: Model<ConversationRecentDoc>) {}

  async append(tenantId: string, conversationId: string, turn: RecentTurn, keep: number): Promise<RecentTurn[] | null> {
    for (let attempt = 0; ; attempt++) {
      const doc = await this.model.findById(conversationId).lean<ConversationRecentDoc>().exec();
      const before = doc?.turns ?? [];
      if (before.some((t) => t.id === turn.id)) return before.filter((t) => t.id !== turn.id);
      const turns = [...before, turn].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime()).slice(-keep);
      try {
        // Read-modify-write: two writers at the same instant (the inbound and the replies consumer)
        // can lose one turn of this copy; the AI context then misses it, the message itself is kept.
        await this.model.replaceOne({ _id: conversationId }, { _id: conversationId, tenantId, turns }, { upsert: true });
        return doc ? before : null;
      } catch (err) {
        // Both created the document at once: read the winner's and add to it.
        if (!isDuplicateKey(err) || attempt > 0) throw err;
      }
    }
  }
}
