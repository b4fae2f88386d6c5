import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
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
  /**
   * How a send whose first outcome was unknown was settled (issue 13): `confirmed` by the provider's
   * status webhook naming its key, or `resent_after_unknown` when none came within the window.
   */
  via?: 'confirmed' | 'resent_after_unknown';
}

/**
 * The provider's word that it accepted a send: the first status webhook naming our key
 * (`biz_opaque_callback_data` on WhatsApp), or the echo carrying it (`message.metadata` on Messenger's
 * `message_echoes`), written once by the webhook ingest (insert-only).
 */
export interface SendConfirmationDoc {
  _id: string;
  channel: string;
  accountId: string;
  providerMessageId: string;
  /**
   * The first status seen (WhatsApp: sent, delivered, read or failed — each says the provider took the
   * request), or `echo` (Messenger: the Page's echo of the message carrying our key as its metadata).
   */
  status: string;
  at: Date;
}

/** The one resend of a send whose outcome was unknown: claimed like a send, so that it happens at most once. */
export interface SendResendDoc {
  _id: string;
  channel: string;
  accountId: string;
  claimedAt: Date;
}

/**
 * A send of a conversation that later sends of the same conversation must not overtake (issue 13, ADR
 * 0423 addendum): one whose outcome is being reconciled or that the provider refused for now (parked on
 * the retry topic), or one waiting behind such a send. `offset` is the command's place on the outbound
 * topic (the conversation is its key, so one partition orders its commands). Inserted before the command
 * is parked, deleted once it is decided.
 */
export interface SendHoldDoc {
  /** The held command's messageId. */
  _id: string;
  conversationId: string;
  channel: string;
  accountId: string;
  /** The command's offset on the outbound topic (kept on the retry topic as its origin). */
  offset: number;
  /**
   * Why: `reconcile` (its own outcome unknown), `retry` (refused for now: parked on the retry topic) or
   * `behind` (an earlier send of its conversation is held).
   */
  reason: 'reconcile' | 'retry' | 'behind';
  at: Date;
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
    via: { type: String, enum: ['confirmed', 'resent_after_unknown'] },
  },
  { versionKey: false, collection: 'send_outcomes' },
);
// Status webhooks name the provider's message id; map it back to our messageId.
SendOutcomeSchema.index({ channel: 1, accountId: 1, providerMessageId: 1 });

export const SendConfirmationSchema = new Schema<SendConfirmationDoc>(
  {
    _id: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    providerMessageId: { type: String, required: true },
    status: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'send_confirmations' },
);

export const SendResendSchema = new Schema<SendResendDoc>(
  {
    _id: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    claimedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'send_resends' },
);

export const SendHoldSchema = new Schema<SendHoldDoc>(
  {
    _id: { type: String, required: true },
    conversationId: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    offset: { type: Number, required: true },
    reason: { type: String, enum: ['reconcile', 'retry', 'behind'], required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'send_holds' },
);
// Asked before every send: the holds of its conversation at or before its offset (an empty collection, nearly always).
SendHoldSchema.index({ conversationId: 1, offset: 1 });

export type Claim = { kind: 'claimed' } | { kind: 'done'; doc: SendDoc } | { kind: 'in_doubt'; doc: SendDoc };

/** How old the index of conversations with a hold may be before a send reads it again. */
const HOLD_INDEX_MS = 1_000;
/** How long a conversation this process held is asked about without the index, and the oldest hold the index reads (beyond any hold's staleness). */
const HELD_HERE_MS = 60 * 60_000;

/**
 * The send ledger: a message is claimed (insert by _id, unique) before the provider call and its
 * outcome recorded after it (an insert by _id in `send_outcomes`). A redelivered command finds an
 * outcome (no second send) or a claim without one: the process died mid-send. These providers take no
 * idempotency key, so resending blindly could double-send: a provider that echoes our key on its status
 * webhooks (WhatsApp) is reconciled against them (`send_confirmations`, `send_resends`, send-reconcile.ts);
 * the others report the message `failed` with `send_outcome_unknown`, visible to agents.
 *
 * Both writes are inserts, coalesced across concurrent sends into one insertMany each (ADR 0423):
 * on FerretDB an update by _id costs 6–14 ms and does not batch, an insert batch of 20 costs about
 * one insert. Each caller still resumes only after its own document is acknowledged.
 */
@Injectable()
export class SendLedger {
  /** Conversations with a hold, as read at `at`. */
  private holding: { at: number; conversations: Set<string> } | undefined;
  /** Conversations this process held, and when: counted whatever a read that raced the write found. */
  private readonly heldHere = new Map<string, number>();
  private holdIndexLoad: Promise<void> | undefined;
  /** A read that began before the last forgetHolds is not kept. */
  private holdIndexGeneration = 0;

  /** Sends whose outcome this process recorded (bounded): no reconcile can need the provider's word on them. */
  private readonly decided = new LRUCache<string, true>({ max: 100_000 });
  /**
   * Sends claimed here whose outcome is not recorded yet, each told when it is (true) or its claim is
   * released (false). Bounded and aged: a send whose outcome stays unknown (cut mid-request) is never told.
   */
  private readonly undecided = new LRUCache<string, { settled: Promise<boolean>; settle: (decided: boolean) => void }>({ max: 10_000, ttl: 5 * 60_000 });

  private readonly claims: InsertBatcher<SendDoc>;
  private readonly outcomes: InsertBatcher<SendOutcomeDoc>;
  private readonly confirmations: InsertBatcher<SendConfirmationDoc>;

  constructor(
    @InjectModel('Send') private readonly model: Model<SendDoc>,
    @InjectModel('SendOutcome') private readonly outcomeModel: Model<SendOutcomeDoc>,
    @InjectModel('SendConfirmation') private readonly confirmationModel: Model<SendConfirmationDoc>,
    @InjectModel('SendResend') private readonly resendModel: Model<SendResendDoc>,
    @InjectModel('SendHold') private readonly holdModel: Model<SendHoldDoc>,
  ) {
    this.claims = new InsertBatcher((docs) => this.model.collection.insertMany(docs as never[], { ordered: false }));
    this.outcomes = new InsertBatcher((docs) => this.outcomeModel.collection.insertMany(docs as never[], { ordered: false }));
    this.confirmations = new InsertBatcher((docs) => this.confirmationModel.collection.insertMany(docs as never[], { ordered: false }));
  }

  async claim(messageId: string, channel: string, accountId: string): Promise<Claim> {
    const inserted = await this.claims.insert({ _id: messageId, channel, accountId, state: 'sending', claimedAt: new Date() });
    if (inserted === 'inserted') {
      let settle!: (decided: boolean) => void;
      const settled = new Promise<boolean>((r) => { settle = r; });
      this.undecided.set(messageId, { settled, settle });
      return { kind: 'claimed' };
    }
    const [claim, outcome] = await Promise.all([
      this.model.findById(messageId).lean<SendDoc>(),
      this.outcomeModel.findById(messageId).lean<SendOutcomeDoc>(),
    ]);
    if (outcome) return { kind: 'done', doc: { ...outcome, claimedAt: claim?.claimedAt } };
    if (!claim) throw new Error(`send ${messageId} vanished`);
    // A claim written before ADR 0423 carries its own outcome.
    return claim.state === 'sending' ? { kind: 'in_doubt', doc: claim } : { kind: 'done', doc: claim };
  }

  /**
   * The one resend of a send whose outcome stayed unknown (issue 13): claimed by its own insert, so two
   * redeliveries (a rebalance) cannot both resend. `claimed`, or the send's outcome when one exists, or
   * `in_doubt` when the resend was claimed before and has no outcome (cut too: never a second resend).
   */
  async claimResend(messageId: string, channel: string, accountId: string): Promise<Claim> {
    const inserted = await this.resendModel.collection.insertOne({ _id: messageId, channel, accountId, claimedAt: new Date() } as never).then(
      () => true,
      (err: { code?: number }) => {
        if (err.code === 11000) return false;
        throw err;
      },
    );
    if (inserted) return { kind: 'claimed' };
    const [resend, outcome] = await Promise.all([
      this.resendModel.findById(messageId).lean<SendResendDoc>(),
      this.outcomeModel.findById(messageId).lean<SendOutcomeDoc>(),
    ]);
    if (outcome) return { kind: 'done', doc: { ...outcome, claimedAt: resend?.claimedAt } };
    return { kind: 'in_doubt', doc: { _id: messageId, channel, accountId, state: 'sending', claimedAt: resend?.claimedAt } };
  }

  /** A retryable failure of the resend frees it, as `release` frees a claim. */
  async releaseResend(messageId: string): Promise<void> {
    await this.resendModel.deleteOne({ _id: messageId });
  }

  /** Records the provider's first status naming our key (idempotent: a later status keeps the first record). */
  async confirm(messageId: string, providerMessageId: string, status: string, channel: string, accountId: string): Promise<void> {
    await this.confirmations.insert({ _id: messageId, channel, accountId, providerMessageId, status, at: new Date() });
  }

  /** The provider's record of the send, if a status webhook named it. */
  async confirmation(messageId: string): Promise<SendConfirmationDoc | null> {
    return this.confirmationModel.findById(messageId).lean<SendConfirmationDoc>();
  }

  /** Records the outcome once; a second record of the same send (a redelivery) keeps the first. */
  async sent(messageId: string, providerMessageId: string | undefined, channel: string, accountId: string, via?: SendOutcomeDoc['via']): Promise<void> {
    await this.outcomes.insert({
      _id: messageId, channel, accountId, state: 'sent', ...(providerMessageId ? { providerMessageId } : {}), doneAt: new Date(), ...(via ? { via } : {}),
    });
    this.isDecided(messageId);
  }

  async failed(messageId: string, error: { code: string; reason: string }, channel: string, accountId: string): Promise<void> {
    await this.outcomes.insert({ _id: messageId, channel, accountId, state: 'failed', error, doneAt: new Date() });
    this.isDecided(messageId);
  }

  private isDecided(messageId: string): void {
    this.decided.set(messageId, true);
    this.undecided.get(messageId)?.settle(true);
    this.undecided.delete(messageId);
  }

  /**
   * Whether this process recorded the send's outcome (acknowledged by the store) — waiting up to
   * `waitMs` for a send claimed here whose outcome is being written (Meta's `sent` webhook usually
   * arrives while the channel still reads the API's answer). The provider's confirmation of such a send
   * serves no reconcile — only a claim without an outcome is reconciled — so a status webhook of it
   * needs no write (WhatsApp: one insert per send saved). False for a send not claimed here, released,
   * or still undecided after the wait: its confirmation is recorded as before.
   */
  async decidedHere(messageId: string, waitMs = 0): Promise<boolean> {
    if (this.decided.has(messageId)) return true;
    const pending = this.undecided.get(messageId);
    if (!pending || waitMs <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), waitMs); });
    try {
      return await Promise.race([pending.settled, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A retryable failure releases the claim so the retry topic's next attempt may send. */
  async release(messageId: string): Promise<void> {
    this.undecided.get(messageId)?.settle(false);
    this.undecided.delete(messageId);
    await this.model.deleteOne({ _id: messageId, state: 'sending' });
  }

  /**
   * The holds of a conversation at or before `offset` (its own included) that are younger than
   * `since`: a hold older than that is stale (its command was dead-lettered without being decided, or an
   * operator removed it) and holds nothing back.
   */
  async holdsUpTo(conversationId: string, offset: number, since: Date): Promise<SendHoldDoc[]> {
    if (!(await this.mayHold(conversationId))) return [];
    return this.holdModel.find({ conversationId, offset: { $lte: offset }, at: { $gt: since } }).lean<SendHoldDoc[]>();
  }

  /**
   * Forgets which conversations hold sends: read again before the next send. At every join of the
   * outbound group (a partition may come with holds another replica wrote), and in tests.
   */
  forgetHolds(): void {
    this.holding = undefined;
    this.holdIndexGeneration++;
  }

  /**
   * Whether the conversation may hold a send: the conversations with a hold, read at most once per
   * HOLD_INDEX_MS (and after a join) instead of one query per send — holds are rare (a send cut
   * mid-request), sends are not (issue 11: at Messenger's 250/s that query per send cost 15% of the
   * rate). A hold this process writes counts at once; one another replica wrote comes with a join
   * (its partition moved here), which reads again, or through the retry topic (whose partitions the
   * group assigns apart), seen within HOLD_INDEX_MS.
   */
  private async mayHold(conversationId: string): Promise<boolean> {
    const now = Date.now();
    if (this.heldHere.has(conversationId)) return true;
    if (!this.holding || now - this.holding.at > HOLD_INDEX_MS) {
      // Longer than any hold holds anything back (the query below decides what is stale).
      for (const [c, at] of this.heldHere) if (now - at > HELD_HERE_MS) this.heldHere.delete(c);
      const generation = this.holdIndexGeneration;
      this.holdIndexLoad ??= this.holdModel
        // Younger than any hold that still holds anything back: stale holds (never purged) stay out of the read.
        .find({ at: { $gt: new Date(now - HELD_HERE_MS) } }, { conversationId: 1 })
        .lean<Pick<SendHoldDoc, 'conversationId'>[]>()
        .then((rows) => {
          if (generation === this.holdIndexGeneration) this.holding = { at: now, conversations: new Set(rows.map((r) => r.conversationId)) };
        })
        .finally(() => { this.holdIndexLoad = undefined; });
      await this.holdIndexLoad;
    }
    // Not known (a join while it was read): the store is asked, as before the index.
    return this.holding?.conversations.has(conversationId) ?? true;
  }

  /** Holds a command's conversation behind it (idempotent: a second hold of the same send keeps the first). */
  async hold(doc: Omit<SendHoldDoc, 'at'>): Promise<void> {
    // Counted before the write: a send of the conversation checking meanwhile asks the store.
    this.heldHere.set(doc.conversationId, Date.now());
    await this.holdModel.collection.insertOne({ ...doc, at: new Date() } as never).catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err;
    });
  }

  /** The held command was decided (sent, failed, confirmed, or dead-lettered): its conversation goes on. */
  async unhold(messageId: string): Promise<void> {
    await this.holdModel.deleteOne({ _id: messageId });
  }

  async byProviderId(channel: string, accountId: string, providerMessageId: string): Promise<SendDoc | null> {
    const outcome = await this.outcomeModel.findOne({ channel, accountId, providerMessageId }).lean<SendOutcomeDoc>();
    if (outcome) return outcome;
    // Sent before ADR 0423: the claim carries the provider's id.
    return this.model.findOne({ channel, accountId, providerMessageId }).lean<SendDoc>();
  }
}
