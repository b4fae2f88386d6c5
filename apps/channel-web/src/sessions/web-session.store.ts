import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';

/** One issued visitor session, keyed by the SHA-256 of its token (the token itself is never stored). */
export interface WebSessionDoc {
  /** hex SHA-256 of the token. */
  _id: string;
  sessionId: string;
  conversationId: string;
  createdAt: Date;
}

export const WebSessionSchema = new Schema<WebSessionDoc>(
  {
    _id: { type: String, required: true },
    sessionId: { type: String, required: true },
    conversationId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'web_sessions' },
);
// Erasure of a visitor's data finds their sessions by conversation.
WebSessionSchema.index({ conversationId: 1 });

/** The port the gateway keeps issued sessions through (faked in unit tests, src/testing). */
export interface WebSessions {
  save(doc: WebSessionDoc): Promise<void>;
  /** The session issued with this token hash, or null (never issued, or revoked by deleting it). */
  find(tokenHash: string): Promise<WebSessionDoc | null>;
}
export const WEB_SESSIONS = Symbol('WEB_SESSIONS');

/** Calls are bounded by VisitorSessions' breaker (visitor-sessions.ts), not here. */
@Injectable()
export class MongoWebSessions implements WebSessions {
  constructor(@InjectModel('WebSession') private readonly model: Model<WebSessionDoc>) {}

  async save(doc: WebSessionDoc): Promise<void> {
    await this.model.create(doc);
  }

  async find(tokenHash: string): Promise<WebSessionDoc | null> {
    return this.model.findById(tokenHash).lean<WebSessionDoc>();
  }
}
