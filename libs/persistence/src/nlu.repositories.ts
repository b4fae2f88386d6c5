import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { InsertBatcher, driverInsertMany } from './insert-batcher';
import { insertOnce } from './mongo-errors';
import { UpdateBatcher } from './update-batcher';
import type { NluDatasetDoc, NluFeedbackDoc, NluPredictionDoc, PredictionOutcome } from './nlu.schemas';

export interface NluDatasetRepository {
  /** The newest version's number, or null when the tenant has none (a cheap, projected read). */
  latestVersion(tenantId: string): Promise<number | null>;
  latest(tenantId: string): Promise<NluDatasetDoc | null>;
  /** Inserts `doc.version`; false when that version already exists (a concurrent upload won). */
  insert(doc: NluDatasetDoc): Promise<boolean>;
}

export interface NluPredictionRepository {
  /** Records once per message id; false when it was already there. */
  record(doc: NluPredictionDoc): Promise<boolean>;
  /**
   * Sets the label and/or outcome of one of the tenant's predictions (people's feedback: it wins over
   * the router's outcome when the log is read); false when there is none.
   */
  feedback(tenantId: string, messageId: string, fb: { label?: string; outcome?: PredictionOutcome }, at: Date): Promise<boolean>;
  /**
   * What the router did with a prediction (idempotent). The customer's verdict wins: `answered` or
   * `handed_off` never replaces a thumbs-up/down already recorded. `missing`: no such prediction.
   */
  outcome(tenantId: string, messageId: string, o: { outcome: PredictionOutcome; reasons?: readonly string[]; label?: string }, at: Date): Promise<'recorded' | 'kept' | 'missing'>;
  /** The conversation's CSAT rating on each of its predictions; how many there were. */
  rateConversation(tenantId: string, conversationId: string, score: number, at: Date): Promise<number>;
  /** The tenant's predictions in [from, to), newest first, at most `limit`. */
  list(tenantId: string, from: Date, to: Date, limit: number): Promise<NluPredictionDoc[]>;
}

/** The customer's own verdicts on an answer: a later router decision does not overwrite them. */
const CUSTOMER_VERDICTS: PredictionOutcome[] = ['thumbs_down', 'thumbs_up'];

export const NLU_DATASET_REPOSITORY = Symbol('NluDatasetRepository');
export const NLU_PREDICTION_REPOSITORY = Symbol('NluPredictionRepository');

@Injectable()
export class MongoNluDatasetRepository implements NluDatasetRepository {
  constructor(@InjectModel('NluDataset') private readonly model: Model<NluDatasetDoc>) {}

  async latestVersion(tenantId: string): Promise<number | null> {
    const doc = await this.model.findOne({ tenantId }, { version: 1 }).sort({ version: -1 }).lean<Pick<NluDatasetDoc, 'version'>>().exec();
    return doc?.version ?? null;
  }

  latest(tenantId: string): Promise<NluDatasetDoc | null> {
    return this.model.findOne({ tenantId }).sort({ version: -1 }).lean<NluDatasetDoc>().exec();
  }

  insert(doc: NluDatasetDoc): Promise<boolean> {
    return insertOnce(this.model, { ...doc, _id: `${doc.tenantId}:${doc.version}` });
  }
}

@Injectable()
export class MongoNluPredictionRepository implements NluPredictionRepository {
  /** Concurrent answers' predictions go out together, each acknowledged once stored (ADR 0011). */
  private readonly inserts: InsertBatcher<NluPredictionDoc>;
  /** The router's outcomes of concurrent predictions go out as one command too. */
  private readonly outcomes: UpdateBatcher;

  constructor(
    @InjectModel('NluPrediction') private readonly model: Model<NluPredictionDoc>,
    @InjectModel('NluFeedback') private readonly feedbackModel: Model<NluFeedbackDoc>,
  ) {
    this.inserts = new InsertBatcher(driverInsertMany(this.model));
    this.outcomes = new UpdateBatcher((ops) => this.model.bulkWrite(ops, { ordered: false }));
  }

  async record(doc: NluPredictionDoc): Promise<boolean> {
    return (await this.inserts.insert(doc)) === 'inserted';
  }

  async feedback(tenantId: string, messageId: string, fb: { label?: string; outcome?: PredictionOutcome }, at: Date): Promise<boolean> {
    const prediction = await this.model.findOne({ _id: messageId, tenantId }, { at: 1 }).lean<Pick<NluPredictionDoc, 'at'>>().exec();
    if (!prediction) return false;
    const set: Partial<NluFeedbackDoc> = { tenantId, predictedAt: prediction.at, at };
    if (fb.label !== undefined) set.label = fb.label;
    if (fb.outcome !== undefined) set.outcome = fb.outcome;
    await this.feedbackModel.updateOne({ _id: messageId }, { $set: set }, { upsert: true }).exec();
    return true;
  }

  async outcome(tenantId: string, messageId: string, o: { outcome: PredictionOutcome; reasons?: readonly string[]; label?: string }, at: Date): Promise<'recorded' | 'kept' | 'missing'> {
    const set: Partial<NluPredictionDoc> = { outcome: o.outcome, feedbackAt: at };
    if (o.outcome === 'handed_off') set.handoffReasons = [...(o.reasons ?? [])];
    if (o.label !== undefined) set.label = o.label;
    const verdictOnly = o.outcome === 'answered' || o.outcome === 'handed_off';
    const filter = verdictOnly ? { _id: messageId, tenantId, outcome: { $nin: CUSTOMER_VERDICTS } } : { _id: messageId, tenantId };
    const matched = await this.outcomes.update(filter, { $set: set });
    if (matched) return 'recorded';
    const now = await this.model.findOne({ _id: messageId, tenantId }, { outcome: 1 }).lean<Pick<NluPredictionDoc, 'outcome'>>().exec();
    if (!now) return 'missing';
    // A batch whose count could not tell (undefined): what is stored now says whether this one landed.
    return matched === undefined && now.outcome === o.outcome ? 'recorded' : 'kept';
  }

  async rateConversation(tenantId: string, conversationId: string, score: number, at: Date): Promise<number> {
    const r = await this.model.updateMany({ conversationId, tenantId }, { $set: { csat: score, feedbackAt: at } }).exec();
    return r.matchedCount;
  }

  async list(tenantId: string, from: Date, to: Date, limit: number): Promise<NluPredictionDoc[]> {
    const window = { $gte: from, $lt: to };
    const [docs, feedback] = await Promise.all([
      this.model.find({ tenantId, at: window }).sort({ at: -1 }).limit(limit).lean<NluPredictionDoc[]>().exec(),
      this.feedbackModel.find({ tenantId, predictedAt: window }).lean<NluFeedbackDoc[]>().exec(),
    ]);
    if (!feedback.length) return docs;
    const byId = new Map(feedback.map((f) => [f._id, f]));
    return docs.map((d) => {
      const f = byId.get(d._id);
      if (!f) return d;
      const feedbackAt = d.feedbackAt && d.feedbackAt > f.at ? d.feedbackAt : f.at;
      return { ...d, label: f.label ?? d.label, outcome: f.outcome ?? d.outcome, feedbackAt };
    });
  }
}
