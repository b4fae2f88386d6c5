import { createHash } from 'node:crypto';
import { Schema } from 'mongoose';

/**
 * One version of a tenant's NLU training data (examples, KB, options). Versions are inserted, never
 * updated: `_id` = `<tenantId>:<version>`, so two concurrent uploads cannot both become version N
 * (a unique-key insert, the claim pattern of ADR 0210). Every replica trains the same deterministic
 * model from the latest version, so replicas agree without shipping a multi-megabyte model around.
 */
export interface NluDatasetDoc {
  _id: string;
  tenantId: string;
  version: number;
  /**
   * `conversationId`: the conversation an agent's correction took the text from (ADR 0104), so that
   * a data subject's erasure can remove it (ADR 0500).
   */
  examples: { text: string; label: string; lang?: string; conversationId?: string }[];
  /** A @omni/nlu KnowledgeBase (validated by the API before it is stored). */
  kb: Record<string, unknown> | null;
  options: Record<string, unknown>;
  /** SHA-256 of examples + kb + options: the model's identity in predictions. */
  hash: string;
  createdAt: Date;
  createdBy: string;
}

/** A version's `hash`: the model's identity in predictions, the same for the same data wherever it is computed. */
export function datasetHash(d: Pick<NluDatasetDoc, 'examples' | 'kb' | 'options'>): string {
  return createHash('sha256').update(JSON.stringify([d.examples, d.kb, d.options])).digest('hex');
}

export const NluDatasetSchema = new Schema<NluDatasetDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    version: { type: Number, required: true },
    examples: { type: Schema.Types.Mixed, required: true },
    kb: { type: Schema.Types.Mixed, default: null },
    options: { type: Schema.Types.Mixed, default: {} },
    hash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
  },
  { versionKey: false, collection: 'nlu_datasets', minimize: false },
);
// The latest version of a tenant's data (model loading and the replicas' version check).
NluDatasetSchema.index({ tenantId: 1, version: -1 });

export const PREDICTION_OUTCOMES = ['answered', 'handed_off', 'thumbs_down', 'thumbs_up'] as const;
export type PredictionOutcome = (typeof PREDICTION_OUTCOMES)[number];

/** What the NLU made of one inbound message, and what became of it (the optimization loop's data). */
export interface NluPredictionDoc {
  /** The inbound message id: a redelivered request records once. */
  _id: string;
  tenantId: string;
  conversationId: string;
  language: string;
  /** The top intent even when the engine abstained (then `abstained` is true). */
  intent: string | null;
  confidence: number;
  abstained: boolean;
  alternatives: { name: string; confidence: number }[];
  /** `demo` or `tenant:<version>`. */
  model: string;
  at: Date;
  /**
   * Labelled feedback: the right intent (an agent's correction) and/or what happened. Stored apart in
   * `nlu_feedback` and merged in when the log is read (a `label` here comes from older data or from a
   * router outcome that carried one).
   */
  label?: string;
  outcome?: PredictionOutcome;
  feedbackAt?: Date;
  /** For `handed_off`: the router's reason codes (human_request, unsatisfied_turns, ai_requested, …). */
  handoffReasons?: string[];
  /** The conversation's CSAT rating (1–5), once the customer gave one. */
  csat?: number;
}

export const NluPredictionSchema = new Schema<NluPredictionDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    language: { type: String, required: true },
    intent: { type: String, default: null },
    confidence: { type: Number, required: true },
    abstained: { type: Boolean, required: true },
    alternatives: { type: Schema.Types.Mixed, default: [] },
    model: { type: String, required: true },
    at: { type: Date, required: true },
    label: String,
    outcome: { type: String, enum: PREDICTION_OUTCOMES },
    feedbackAt: Date,
    handoffReasons: { type: [String], default: undefined },
    csat: Number,
  },
  { versionKey: false, collection: 'nlu_predictions' },
);
// A tenant's predictions over a time window (the report).
NluPredictionSchema.index({ tenantId: 1, at: -1 });
// The predictions of one conversation (its CSAT rating reaches all of them).
NluPredictionSchema.index({ conversationId: 1 });

/**
 * People's feedback on one prediction (the feedback API, an agent's correction), apart from the
 * prediction the router's outcomes write to: the two writers never rewrite the same document, so
 * neither can drop the other's field on a store whose updates replace whole documents (FerretDB).
 * `_id` is the prediction's (the inbound message id); `predictedAt` is the prediction's `at`, so a
 * report window reads the feedback of its predictions in one indexed query.
 */
export interface NluFeedbackDoc {
  _id: string;
  tenantId: string;
  predictedAt: Date;
  label?: string;
  outcome?: PredictionOutcome;
  at: Date;
}

export const NluFeedbackSchema = new Schema<NluFeedbackDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    predictedAt: { type: Date, required: true },
    label: String,
    outcome: { type: String, enum: PREDICTION_OUTCOMES },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'nlu_feedback' },
);
NluFeedbackSchema.index({ tenantId: 1, predictedAt: -1 });
