import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { CannedResponseRepository, ConversationNoteRepository, ConversationViewerRepository } from './desk.ports';
import { replaceOrInsert } from './mongo-errors';
import type { CannedResponseDoc, ConversationNoteDoc, ConversationViewerDoc } from './desk.schemas';

@Injectable()
export class MongoConversationNoteRepository implements ConversationNoteRepository {
  constructor(@InjectModel('ConversationNote') private readonly model: Model<ConversationNoteDoc>) {}

  async insert(note: ConversationNoteDoc): Promise<void> {
    await this.model.create(note);
  }

  of(tenantId: string, conversationId: string, limit: number): Promise<ConversationNoteDoc[]> {
    return this.model.find({ tenantId, conversationId }).sort({ at: 1 }).limit(limit).lean<ConversationNoteDoc[]>().exec();
  }

  count(tenantId: string, conversationId: string): Promise<number> {
    return this.model.countDocuments({ tenantId, conversationId }).exec();
  }
}

@Injectable()
export class MongoConversationViewerRepository implements ConversationViewerRepository {
  constructor(@InjectModel('ConversationViewer') private readonly model: Model<ConversationViewerDoc>) {}

  async beat(viewer: ConversationViewerDoc): Promise<void> {
    await replaceOrInsert(this.model, { _id: viewer._id, tenantId: viewer.tenantId }, viewer);
  }

  active(tenantId: string, conversationId: string, since: Date): Promise<ConversationViewerDoc[]> {
    return this.model.find({ tenantId, conversationId, at: { $gt: since } }).sort({ at: -1 }).limit(50).lean<ConversationViewerDoc[]>().exec();
  }

  async leave(tenantId: string, id: string): Promise<void> {
    await this.model.deleteOne({ _id: id, tenantId }).exec();
  }
}

@Injectable()
export class MongoCannedResponseRepository implements CannedResponseRepository {
  constructor(@InjectModel('CannedResponse') private readonly model: Model<CannedResponseDoc>) {}

  async put(doc: CannedResponseDoc): Promise<void> {
    await replaceOrInsert(this.model, { _id: doc._id, tenantId: doc.tenantId }, doc);
  }

  list(tenantId: string, language?: string): Promise<CannedResponseDoc[]> {
    return this.model.find({ tenantId, ...(language ? { language } : {}) }).sort({ shortcut: 1, language: 1 }).limit(1_000).lean<CannedResponseDoc[]>().exec();
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.model.deleteOne({ _id: id, tenantId }).exec()).deletedCount > 0;
  }
}
