import { Schema } from 'mongoose';

/**
 * Collections of A/B experiments, automation workflows and unified customer identities (issue 5).
 * Every write that must happen once is an insert on a unique key (docs/adr/0210, 0220).
 */

/** A tenant's flow experiment; `config` is the Experiment of @omni/routing (validated when loaded). */
export interface ExperimentDoc {
  /** `<tenantId>:<experimentId>`. */
  _id: string;
  tenantId: string;
  experimentId: string;
  active: boolean;
  config: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}
export const ExperimentDocSchema = new Schema<ExperimentDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    experimentId: { type: String, required: true },
    active: { type: Boolean, required: true },
    config: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'experiments' },
);
// The active experiments of a tenant (assignment when a conversation opens) and the admin listing.
ExperimentDocSchema.index({ tenantId: 1, active: 1 });

/** The outcome of one conversation in one experiment, recorded at its first resolution. */
export interface ExperimentOutcomeDoc {
  /** `<tenantId>:<experimentId>:<conversationId>`: recorded once however often it resolves. */
  _id: string;
  tenantId: string;
  experimentId: string;
  variantId: string;
  conversationId: string;
  customerId: string;
  startedAt: Date;
  endedAt: Date;
  handedOff: boolean;
  csat?: number;
}
export const ExperimentOutcomeSchema = new Schema<ExperimentOutcomeDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    experimentId: { type: String, required: true },
    variantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    customerId: { type: String, required: true },
    startedAt: { type: Date, required: true },
    endedAt: { type: Date, required: true },
    handedOff: { type: Boolean, required: true },
    csat: Number,
  },
  { versionKey: false, collection: 'experiment_outcomes' },
);
// The report of one experiment.
ExperimentOutcomeSchema.index({ tenantId: 1, experimentId: 1 });
// A late CSAT rating finds the outcomes of its conversation.
ExperimentOutcomeSchema.index({ conversationId: 1 });

export interface WorkflowStepDoc {
  name: string;
  connector: string;
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: { code: string; message: string };
  startedAt: Date;
  endedAt: Date;
}

/** One run of an intent-triggered workflow; `_id` derived from the inbound message that triggered it. */
export interface WorkflowRunDoc {
  _id: string;
  tenantId: string;
  conversationId: string;
  messageId: string;
  workflow: string;
  intent: string;
  inputs: Record<string, string>;
  status: 'running' | 'succeeded' | 'failed' | 'handed_off';
  steps: WorkflowStepDoc[];
  /** What the customer was told, or why a person took over. */
  outcome?: { kind: 'reply'; text: string } | { kind: 'handoff'; code: string; detail: string };
  startedAt: Date;
  endedAt?: Date;
}
export const WorkflowRunSchema = new Schema<WorkflowRunDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    messageId: { type: String, required: true },
    workflow: { type: String, required: true },
    intent: { type: String, required: true },
    inputs: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: ['running', 'succeeded', 'failed', 'handed_off'], required: true },
    steps: { type: Schema.Types.Mixed, default: [] },
    outcome: Schema.Types.Mixed,
    startedAt: { type: Date, required: true },
    endedAt: Date,
  },
  { versionKey: false, collection: 'workflow_runs' },
);
// A conversation's workflow runs in order (agent view, the API).
WorkflowRunSchema.index({ conversationId: 1, startedAt: 1 });

/**
 * Union-find link of one channel identity (a customers row) to the profile it belongs to. Links
 * always point to a smaller id, so racing merges can never make a cycle (see ADR 0221).
 */
export interface CustomerLinkDoc {
  /** The linked identity's customer id (a root has no link). */
  _id: string;
  tenantId: string;
  profileId: string;
  via: 'email' | 'phone' | 'merge';
  /** The verified value or the API caller that merged. */
  detail: string;
  at: Date;
}
export const CustomerLinkSchema = new Schema<CustomerLinkDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    profileId: { type: String, required: true },
    via: { type: String, enum: ['email', 'phone', 'merge'], required: true },
    detail: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'customer_links' },
);
// The identities linked to a profile (walking a profile down to all its identities).
CustomerLinkSchema.index({ tenantId: 1, profileId: 1 });

/** A verified email or phone, owned by the first identity that presented it. */
export interface VerifiedContactDoc {
  /** `<tenantId>:<kind>:<value>`: one owner per contact, by insert. */
  _id: string;
  tenantId: string;
  kind: 'email' | 'phone';
  value: string;
  customerId: string;
  source: string;
  at: Date;
}
export const VerifiedContactSchema = new Schema<VerifiedContactDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    kind: { type: String, enum: ['email', 'phone'], required: true },
    value: { type: String, required: true },
    customerId: { type: String, required: true },
    source: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'verified_contacts' },
);
// The verified contacts of an identity (customer view).
VerifiedContactSchema.index({ customerId: 1 });

/**
 * A customer's standing in the queues, set by a supervisor: VIPs are served first, then higher
 * priority, then the longest waiting (libs/routing queue order). Its own collection, not a field of
 * the customer: FerretDB rewrites a whole document per update, so a field beside `lastSeenAt` (set
 * on every inbound message) could be lost to a racing write.
 */
export interface CustomerTierDoc {
  /** The customer (channel identity) id; a profile's identities each carry the tier set on it. */
  _id: string;
  tenantId: string;
  vip: boolean;
  /** 0–100, higher first. */
  priority: number;
  by: string;
  at: Date;
}
export const CustomerTierSchema = new Schema<CustomerTierDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    vip: { type: Boolean, required: true },
    priority: { type: Number, required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'customer_tiers' },
);
