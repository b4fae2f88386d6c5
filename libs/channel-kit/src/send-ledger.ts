import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import { isDuplicateKey } from '@omni/persistence';

export interface SendDoc {
  /** The outbound command's messageId: the send's idempotency key. */
  _id: string;
  channel: string;
  accountId: string;
  state: 'sending' | 'sent' | 'failed';
  providerMessageId?: string;
  claimedAt: Date;
  doneAt?: Date;
  error?: { code: string; reason: string };
}

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
// Status webhooks name the provider's message id; map it back to our messageId.
SendSchema.index({ channel: 1, accountId: 1, providerMessageId: 1 });

export type Claim = { kind: 'claimed' } | { kind: 'done'; doc: SendDoc } | { kind: 'in_doubt'; doc: SendDoc };

/**
 * The send ledger: a message is claimed (insert by _id, unique) before the provider call and marked
 * after it. A redelivered command finds it done (no second send) or claimed without an outcome: the
 * process died mid-send, and since these providers take no idempotency key, resending could
 * double-send — the message is reported `failed` with `send_outcome_unknown` instead, visible to agents.
 */
@Injectable()
export class SendLedger {
  constructor(@InjectModel('Send') private readonly model: Model<SendDoc>) {}

  async claim(messageId: string, channel: string, accountId: string): Promise<Claim> {
    try {
      await this.model.create({ _id: messageId, channel, accountId, state: 'sending', claimedAt: new Date() });
      return { kind: 'claimed' };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const doc = await this.model.findById(messageId).lean<SendDoc>();
    if (!doc) throw new Error(`send ${messageId} vanished`);
    return doc.state === 'sending' ? { kind: 'in_doubt', doc } : { kind: 'done', doc };
  }

  async sent(messageId: string, providerMessageId?: string): Promise<void> {
    await this.model.updateOne({ _id: messageId }, { $set: { state: 'sent', providerMessageId, doneAt: new Date() } });
  }

  async failed(messageId: string, error: { code: string; reason: string }): Promise<void> {
    await this.model.updateOne({ _id: messageId }, { $set: { state: 'failed', error, doneAt: new Date() } });
  }

  /** A retryable failure releases the claim so the retry topic's next attempt may send. */
  async release(messageId: string): Promise<void> {
    await this.model.deleteOne({ _id: messageId, state: 'sending' });
  }

  async byProviderId(channel: string, accountId: string, providerMessageId: string): Promise<SendDoc | null> {
    return this.model.findOne({ channel, accountId, providerMessageId }).lean<SendDoc>();
  }
}
