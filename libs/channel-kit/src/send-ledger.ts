import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import { InsertBatcher } from '@omni/persistence';

export interface SendDoc {
  /** The outbound command's messageId: the send's idempotency key. */
  _id: string;
  channel: string;
  accountId: string;
  state: 'sending' | 'sent' | 'failed';
  providerMessageId?: string;
  /** When the claim was made (absent on an outcome record). */
  claimedAt?: Date;
  doneAt?: Date;
  error?: { code: string; reason: string };
}

/** A send's outcome, written once next to its claim (insert-only: no update on the hot path). */
export interface SendOutcomeDoc {
  _id: string;
  channel: string;
  accountId: string;
  state: 'sent' | 'failed';
  providerMessageId?: string;
  doneAt: Date;
  error?: { code: string; reason: string };
}

/** Claims: one per messageId, made before the provider call. Documents written before ADR 0423 also carry their outcome. */
export const SendSchema = new Schema<SendDoc>(
  {
    _id: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    state: { type: String, enum: ['sending', 'sent', 'failed'], required: true },
    providerMessageId: String,
    claimedAt: { type: Date, required: true },
    doneAt: Date,
    error: { code: String, reason: String },
  },
  { versionKey: false, collection: 'sends' },
);
// Status webhooks name the provider's message id; map it back to our messageId (claims written
// before ADR 0423, which carry their outcome).
SendSchema.index({ channel: 1, accountId: 1, providerMessageId: 1 });

export const SendOutcomeSchema = new Schema<SendOutcomeDoc>(
  {
    _id: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    state: { type: String, enum: ['sent', 'failed'], required: true },
    providerMessageId: String,
    doneAt: { type: Date, required: true },
    error: { code: String, reason: String },
  },
  { versionKey: false, collection: 'send_outcomes' },
);
// Status webhooks name the provider's message id; map it back to our messageId.
SendOutcomeSchema.index({ channel: 1, accountId: 1, providerMessageId: 1 });

export type Claim = { kind: 'claimed' } | { kind: 'done'; doc: SendDoc } | { kind: 'in_doubt'; doc: SendDoc };

/**
 * The send ledger: a message is claimed (insert by _id, unique) before the provider call and its
 * outcome recorded after it (an insert by _id in `send_outcomes`). A redelivered command finds an
 * outcome (no second send) or a claim without one: the process died mid-send, and since these
 * providers take no idempotency key, resending could double-send — the message is reported `failed`
 * with `send_outcome_unknown` instead, visible to agents.
 *
 * Both writes are inserts, coalesced across concurrent sends into one insertMany each (ADR 0423):
 * on FerretDB an update by _id costs 6–14 ms and does not batch, an insert batch of 20 costs about
 * one insert. Each caller still resumes only after its own document is acknowledged.
 */
@Injectable()
export class SendLedger {
  private readonly claims: InsertBatcher<SendDoc>;
  private readonly outcomes: InsertBatcher<SendOutcomeDoc>;

  constructor(
    @InjectModel('Send') private readonly model: Model<SendDoc>,
    @InjectModel('SendOutcome') private readonly outcomeModel: Model<SendOutcomeDoc>,
  ) {
    this.claims = new InsertBatcher((docs) => this.model.collection.insertMany(docs as never[], { ordered: false }));
    this.outcomes = new InsertBatcher((docs) => this.outcomeModel.collection.insertMany(docs as never[], { ordered: false }));
  }

  async claim(messageId: string, channel: string, accountId: string): Promise<Claim> {
    const inserted = await this.claims.insert({ _id: messageId, channel, accountId, state: 'sending', claimedAt: new Date() });
    if (inserted === 'inserted') return { kind: 'claimed' };
    const [claim, outcome] = await Promise.all([
      this.model.findById(messageId).lean<SendDoc>(),
      this.outcomeModel.findById(messageId).lean<SendOutcomeDoc>(),
    ]);
    if (outcome) return { kind: 'done', doc: { ...outcome, claimedAt: claim?.claimedAt } };
    if (!claim) throw new Error(`send ${messageId} vanished`);
    // A claim written before ADR 0423 carries its own outcome.
    return claim.state === 'sending' ? { kind: 'in_doubt', doc: claim } : { kind: 'done', doc: claim };
  }

  /** Records the outcome once; a second record of the same send (a redelivery) keeps the first. */
  async sent(messageId: string, providerMessageId: string | undefined, channel: string, accountId: string): Promise<void> {
    await this.outcomes.insert({ _id: messageId, channel, accountId, state: 'sent', ...(providerMessageId ? { providerMessageId } : {}), doneAt: new Date() });
  }

  async failed(messageId: string, error: { code: string; reason: string }, channel: string, accountId: string): Promise<void> {
    await this.outcomes.insert({ _id: messageId, channel, accountId, state: 'failed', error, doneAt: new Date() });
  }

  /** A retryable failure releases the claim so the retry topic's next attempt may send. */
  async release(messageId: string): Promise<void> {
    await this.model.deleteOne({ _id: messageId, state: 'sending' });
  }

  async byProviderId(channel: string, accountId: string, providerMessageId: string): Promise<SendDoc | null> {
    const outcome = await this.outcomeModel.findOne({ channel, accountId, providerMessageId }).lean<SendOutcomeDoc>();
    if (outcome) return outcome;
    // Sent before ADR 0423: the claim carries the provider's id.
    return this.model.findOne({ channel, accountId, providerMessageId }).lean<SendDoc>();
  }
}
