import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';

/**
 * What a reply needs of the customer mail it answers and the router does not keep: the RFC 5322
 * threading headers, the subject, and whether it was an automatic mail (never answered by the bot).
 */
export interface MailThreadDoc {
  /** The inbound message's event id, which is also the router's message id (cmd.replyToMessageId). */
  _id: string;
  conversationId: string;
  /** Bare Message-ID of the customer mail. */
  messageId: string;
  /** Its References, oldest first (bare ids). */
  references: string[];
  subject?: string;
  autoReply?: string;
  receivedAt: Date;
}

export const MailThreadSchema = new Schema<MailThreadDoc>(
  {
    _id: { type: String, required: true },
    conversationId: { type: String, required: true },
    messageId: { type: String, required: true },
    references: { type: [String], default: [] },
    subject: String,
    autoReply: String,
    receivedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'email_threads' },
);
// An agent reply names no message: it answers the conversation's latest customer mail.
MailThreadSchema.index({ conversationId: 1, receivedAt: -1 });

/** The port the use cases read and write thread facts through (faked in unit tests). */
export interface MailThreads {
  record(docs: MailThreadDoc[]): Promise<void>;
  /** The mail `messageId` answers, else the conversation's latest one. */
  find(conversationId: string, messageId?: string): Promise<MailThreadDoc | null>;
}
export const MAIL_THREADS = Symbol('MAIL_THREADS');

@Injectable()
export class MongoMailThreads implements MailThreads {
  constructor(@InjectModel('MailThread') private readonly model: Model<MailThreadDoc>) {}

  /** Upsert by id: the same mail delivered again (SMTP retry after a 451) writes the same document. */
  async record(docs: MailThreadDoc[]): Promise<void> {
    if (!docs.length) return;
    await this.model.bulkWrite(docs.map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } })), { ordered: false });
  }

  async find(conversationId: string, messageId?: string): Promise<MailThreadDoc | null> {
    if (messageId) {
      const doc = await this.model.findById(messageId).lean<MailThreadDoc>();
      if (doc && doc.conversationId === conversationId) return doc;
    }
    return this.model.findOne({ conversationId }).sort({ receivedAt: -1 }).lean<MailThreadDoc>();
  }
}
