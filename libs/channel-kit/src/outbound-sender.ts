import {
  Channel, CloudEvent, DeliveryState, OmniError, OutboundCommand, RetryableError, TOPICS, WaitError, createEvent, errorSummary, isRetryable, statusEventId,
} from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import { BreakerOptions, BreakerRegistry, RetryPolicy, withRetry } from '@omni/resilience';
import { counter, rootLogger } from '@omni/telemetry';
import type { AccountRateLimiter, Done } from './rate-limiter';
import type { Claim, SendHoldDoc, SendLedger } from './send-ledger';
import type { FenceVerdict, SendFence } from './send-fence';
import { ReconcileDecision, SendReconcileConfig, decideUnknownSend } from './send-reconcile';

/**
 * Conversations sent at once per partition by the channel apps' outbound consumers (ADR 0008): a
 * send waits on the provider (and on our ledger), so one at a time per partition left the limiter
 * idle; 16 × the partitions keeps it fed at Messenger's 250/s with 60–100 ms per send, and bounds
 * the limiter's queue to well under a second at Telegram's 30/s. Order within a conversation holds.
 */
export const OUTBOUND_KEY_CONCURRENCY = 16;

/**
 * Resolves when the account's rate limit lets one provider request go out now, with the Done to
 * call once its answer (or failure) is in: the limiter counts a request until then (ADR 0423).
 */
export type Pace = () => Promise<Done>;

/** For a transport used without a limiter (unit tests of the transport itself). */
export const unpaced: Pace = async () => () => undefined;

/** A channel's way of sending one command; throws typed errors (RetryableError / FatalError). */
export interface ChannelTransport {
  readonly channel: Channel;
  /**
   * Sends one command. A transport with `pacesRequests` calls `pace` right before each provider
   * request (a long text is several), after its own reads and encoding, so that what the limiter
   * spaces is what the provider counts; for any other the sender paces the whole send once.
   */
  send(cmd: OutboundCommand, pace: Pace): Promise<{ providerMessageId?: string }>;
  readonly pacesRequests?: boolean;
  /** The key of the provider's per-recipient limit (Telegram: the chat). */
  recipientKey?(cmd: OutboundCommand): string;
  /**
   * Whether the provider echoes this send's key (our messageId) on its status webhooks, which the
   * channel's ingest records in the ledger (WhatsApp Cloud API: `biz_opaque_callback_data`). Only then
   * is a send whose outcome is unknown reconciled (send-reconcile.ts); otherwise it stays at-most-once.
   */
  reconcilable?(cmd: OutboundCommand): boolean;
}

/** Sends through `transport` with its requests paced, whether it paces them itself or not. */
export async function sendPaced(transport: ChannelTransport, cmd: OutboundCommand, pace: Pace): Promise<{ providerMessageId?: string }> {
  if (transport.pacesRequests) return transport.send(cmd, pace);
  const done = await pace();
  try {
    return await transport.send(cmd, unpaced);
  } finally {
    done();
  }
}

/**
 * What the outbound consumer knows of a command's record (ADR 0423 addendum, order behind a held send):
 * its place among its conversation's commands and whether this is its last try.
 */
export interface SendContext {
  /** The command's offset on the outbound topic (its origin, kept on the retry topic); unknown: no order to keep. */
  offset?: string;
  /** The consumer's last attempt: a retryable failure now dead-letters the command. */
  final?: boolean;
}

/** The retryable errors of a send held for the reconcile: its conversation's later sends wait behind it. */
const RECONCILE_HOLDS = new Set(['send_reconciling', 'send_reconcile_peer_unknown', 'send_outcome_unknown']);

/** How soon a send waiting behind a held one is checked again (the consumer doubles it per wait, up to 16×). */
const HELD_BEHIND_RECHECK_MS = 1_000;

/** A hold older than this holds nothing back (its command left without being decided: a DLQ, an operator). */
const HOLD_STALE_MS = 10 * 60_000;

/** In-place retries of an outcome write (a database blip must not turn a sent message into an unknown one). */
const LEDGER_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

export interface OutboundSenderDeps {
  transport: ChannelTransport;
  ledger: SendLedger;
  /**
   * Paired regions (ADR 0300): whether a peer region decided this send later (then it is not sent
   * here), and whether the provider's status for a send of unknown outcome reached the peer region.
   */
  fence: Pick<SendFence, 'verdict' | 'peerConfirmation'>;
  /** How long a send of unknown outcome waits for the provider's status before it is sent again. */
  reconcile: SendReconcileConfig;
  now?: () => number;
  /** When this process started taking status webhooks (default: when the sender was made). */
  startedAt?: number;
  publisher: EventPublisher;
  limiter: AccountRateLimiter;
  breakers: BreakerRegistry;
  retry: RetryPolicy;
  /**
   * The account's breaker, without a timeout of its own: it would also run while the send waits
   * on the rate limiter, and opossum does not cancel the call it gives up on, so the in-place
   * retry would send beside it (twice). Each provider request is bounded by the transport, which
   * aborts it at its timeout (issue 15 #11).
   */
  breaker?: Omit<BreakerOptions, 'timeout'>;
}

/**
 * Sends one outbound command exactly once where possible: claimed in the send ledger, spaced by the
 * account's rate limiter, through one breaker per channel account, retried in place on retryable
 * errors (honouring the provider's Retry-After), then reported on omni.status.v1. A retryable failure
 * that outlasts the in-place retries is thrown so the consumer policy moves it to the retry topic
 * and, in the end, the DLQ; a permanent one becomes a `failed` status with the provider's code.
 */
export class OutboundSender {
  private readonly log = rootLogger().child({ component: 'outbound' });
  private readonly outcomes = counter('omni_outbound_sends_total', 'Outbound sends by outcome', ['channel', 'outcome']);

  private readonly startedAt: number;

  constructor(private readonly deps: OutboundSenderDeps) {
    this.startedAt = deps.startedAt ?? (deps.now ?? Date.now)();
  }

  /**
   * Sends one command, in order behind its conversation's held sends (issue 13): a send that goes to the
   * retry topic — held for the reconcile (its outcome unknown, waiting for the provider's status), or
   * refused for now (a 429, a 5xx, an open breaker, a timeout the provider did not take) — holds its
   * conversation (`send_holds`, written before the command is parked); a later command of that
   * conversation is held behind it (its own hold, so that those after it wait too) until the held one is
   * decided — sent, confirmed, resent or failed — and its hold deleted. Other conversations are not held.
   * On the consumer's last attempt a command goes out rather than to the DLQ, and a held one that goes to
   * the DLQ frees its conversation.
   */
  async handle(event: CloudEvent<OutboundCommand>, ctx: SendContext = {}): Promise<void> {
    const cmd = event.data;
    const offset = ctx.offset === undefined ? Number.NaN : Number(ctx.offset);
    // A command of no known place on the outbound topic (a test, a replay tool) has no order to keep.
    if (!Number.isSafeInteger(offset)) return this.deliver(cmd, 'first');
    const { ledger } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const holds = await ledger.holdsUpTo(cmd.conversationId, offset, new Date(now - HOLD_STALE_MS));
    let own = holds.some((h) => h._id === cmd.messageId);
    const ahead = holds.find((h) => h._id !== cmd.messageId && h.offset < offset);
    const hold = async (reason: SendHoldDoc['reason']) => {
      if (own) return;
      await ledger.hold({ _id: cmd.messageId, conversationId: cmd.conversationId, channel: cmd.channel, accountId: cmd.accountId, offset, reason });
      own = true;
    };
    if (ahead && !ctx.final) {
      await hold('behind');
      this.outcomes.inc({ channel: cmd.channel, outcome: 'held_behind' });
      // Waiting, not failing: checked again within a second (then less often), spending no retry, so it
      // follows the held send as soon as that one is decided instead of at its own next backoff.
      throw new WaitError('send_held_behind', `send ${cmd.messageId} waits behind send ${ahead._id} of its conversation (held: ${ahead.reason})`, HELD_BEHIND_RECHECK_MS);
    }
    if (ahead) this.log.warn({ messageId: cmd.messageId, channel: cmd.channel, behind: ahead._id }, 'last attempt of a send held behind an undecided send of its conversation: sent out of order rather than dead-lettered');
    try {
      await this.deliver(cmd, 'first');
    } catch (err) {
      if (isRetryable(err) && !ctx.final) {
        // Its later sends must not overtake it while it waits on the retry topic (a plain retry let them).
        await hold(err instanceof OmniError && RECONCILE_HOLDS.has(err.code) ? 'reconcile' : 'retry');
        throw err;
      }
      // Dead-lettered (its last attempt, or a bug): its conversation goes on.
      if (own) await this.unhold(cmd);
      throw err;
    }
    if (own) await this.unhold(cmd);
  }

  private async unhold(cmd: OutboundCommand): Promise<void> {
    await withRetry(() => this.deps.ledger.unhold(cmd.messageId), LEDGER_RETRY).catch((err: unknown) => {
      // Decided, its hold still there: the redelivery finds the outcome and deletes it.
      throw new RetryableError('store_unavailable', `send ${cmd.messageId} decided, its conversation's hold not released: ${(err as Error).message}`);
    });
  }

  /**
   * One send of the command: its first (claimed in `sends`), or the one resend of a send whose outcome
   * stayed unknown past the reconcile window (claimed in `send_resends`, recorded `resent_after_unknown`).
   */
  private async deliver(cmd: OutboundCommand, attempt: 'first' | 'resend'): Promise<void> {
    const { ledger, transport } = this.deps;
    const takeClaim = (): Promise<Claim> =>
      attempt === 'first' ? ledger.claim(cmd.messageId, cmd.channel, cmd.accountId) : ledger.claimResend(cmd.messageId, cmd.channel, cmd.accountId);
    // The claim is taken right before the first provider request, once the transport has read what it
    // needs and the limiter has given the slot: a process that dies before it leaves no claim, and the
    // redelivered command is sent (a claim taken first and lost in those reads or that wait was reported
    // `send_outcome_unknown` and never sent — the regions drill lost a reply so, local-a killed mid-send).
    // The region fence is checked there too, right before the claim: a send a peer region decided
    // later (it took the tenant over and answered) is not sent here (ADR 0300).
    let claim: Claim | undefined;
    let fenced: FenceVerdict | undefined;
    const claimOnce = async (): Promise<void> => {
      if (!claim) {
        fenced ??= await this.deps.fence.verdict(cmd);
        if (!fenced.send) throw new SentByPeer(fenced.peer);
      }
      claim ??= await takeClaim();
      if (claim.kind !== 'claimed') throw new ClaimSettled(claim);
    };
    const breaker = this.deps.breakers.get(
      `${transport.channel}:${cmd.accountId}`,
      (c: OutboundCommand, pace: Pace) => sendPaced(transport, c, pace),
      { ...this.deps.breaker, timeout: false, isFailure: (err) => !notTheProvider(err) && (this.deps.breaker?.isFailure?.(err) ?? true) },
    );
    const recipient = transport.recipientKey?.(cmd) ?? cmd.recipient.channelUserId;
    const pace: Pace = async () => {
      const done = await this.deps.limiter.acquire(cmd.accountId, recipient);
      try {
        await claimOnce();
      } catch (err) {
        done();
        throw err;
      }
      return done;
    };
    // A request that went out and got no answer (our timeout) may have been taken by the provider: on a
    // provider whose statuses name our key it is not retried in place (that could send it twice) but left
    // claimed, without an outcome, for the reconcile (confirmed by a status, or resent once after the window).
    const reconcilable = transport.reconcilable?.(cmd) ?? false;
    const fire = async (): Promise<{ providerMessageId?: string }> => {
      try {
        return await breaker.fire(cmd, pace);
      } catch (err) {
        if (reconcilable && claim?.kind === 'claimed' && unanswered(err)) throw new OutcomeUnknown(err as Error);
        throw err;
      }
    };
    let result: { providerMessageId?: string };
    try {
      result = await withRetry(fire, this.deps.retry);
    } catch (err) {
      if (err instanceof ClaimSettled) return this.settled(cmd, err.claim, attempt);
      if (err instanceof OutcomeUnknown) {
        this.outcomes.inc({ channel: cmd.channel, outcome: 'unanswered' });
        this.log.warn({ messageId: cmd.messageId, channel: cmd.channel, err: err.message }, 'provider request unanswered: held for the reconcile against its status webhooks, not retried in place');
        throw new RetryableError('send_outcome_unknown', `${err.message} (the claim is kept: the redelivery reconciles it against the provider's statuses)`);
      }
      if (err instanceof SentByPeer) {
        // Nothing claimed, nothing said: the peer region's send is the customer's answer.
        this.outcomes.inc({ channel: cmd.channel, outcome: 'sent_by_peer_region' });
        return;
      }
      if (isRetryable(err)) {
        // The provider did not take it: free this send's claim (if it got that far) for the retry topic's next attempt.
        if (claim?.kind === 'claimed') await (attempt === 'first' ? ledger.release(cmd.messageId) : ledger.releaseResend(cmd.messageId));
        this.outcomes.inc({ channel: cmd.channel, outcome: 'retry' });
        throw err;
      }
      // A permanent failure before any provider request (an unknown account) is claimed too, so
      // that a redelivery reports it instead of sending.
      if (!claim) {
        claim = await takeClaim();
        if (claim.kind !== 'claimed') return this.settled(cmd, claim, attempt);
      }
      const e = errorSummary(err);
      const error = { code: e.code, reason: e.message };
      await withRetry(() => ledger.failed(cmd.messageId, error, cmd.channel, cmd.accountId), LEDGER_RETRY);
      await this.status(cmd, 'failed', undefined, error);
      this.outcomes.inc({ channel: cmd.channel, outcome: 'failed' });
      return;
    }
    // Sent: from here a failure must never free the claim (a retry would send twice). The outcome
    // write is retried in place; if it still fails, the redelivered command finds the claim without
    // an outcome and reports `send_outcome_unknown` rather than sending again.
    const via = attempt === 'resend' ? 'resent_after_unknown' : undefined;
    await withRetry(() => ledger.sent(cmd.messageId, result.providerMessageId, cmd.channel, cmd.accountId, via), LEDGER_RETRY);
    await this.status(cmd, 'sent', result.providerMessageId);
    this.outcomes.inc({ channel: cmd.channel, outcome: via ?? 'sent' });
  }

  /**
   * A command whose send was claimed before (a redelivery): its outcome said again, or — claimed without
   * an outcome — reconciled against the provider's record (confirmed, held, resent once), or reported unknown.
   */
  private async settled(cmd: OutboundCommand, claim: Exclude<Claim, { kind: 'claimed' }>, attempt: 'first' | 'resend'): Promise<void> {
    if (claim.kind === 'done') {
      // Sent (or failed) before; the status may not have made it out before a crash: say it again.
      const d = claim.doc;
      await this.status(cmd, d.state === 'sent' ? 'sent' : 'failed', d.providerMessageId, d.error);
      return;
    }
    // A resend cut like the first send is not sent a third time: unknown.
    if (attempt === 'first') {
      const decision = await this.reconcile(cmd, claim.doc.claimedAt);
      if (decision.kind === 'confirmed') {
        await withRetry(() => this.deps.ledger.sent(cmd.messageId, decision.providerMessageId, cmd.channel, cmd.accountId, 'confirmed'), LEDGER_RETRY);
        await this.status(cmd, 'sent', decision.providerMessageId);
        this.outcomes.inc({ channel: cmd.channel, outcome: 'confirmed_after_unknown' });
        this.log.info({ messageId: cmd.messageId, channel: cmd.channel, providerMessageId: decision.providerMessageId }, 'send of unknown outcome confirmed by the provider\'s status: not sent again');
        return;
      }
      if (decision.kind === 'hold') {
        this.outcomes.inc({ channel: cmd.channel, outcome: 'reconcile_held' });
        throw new RetryableError('send_reconciling', `send ${cmd.messageId} of unknown outcome: waiting ${Math.ceil(decision.remainingMs / 1000)} s more for the provider's status before sending it again`);
      }
      if (decision.kind === 'resend') {
        this.log.warn({ messageId: cmd.messageId, channel: cmd.channel }, 'send of unknown outcome: no status from the provider within the window, sent again once with the same key');
        return this.deliver(cmd, 'resend');
      }
    }
    const error = { code: 'send_outcome_unknown', reason: 'the gateway stopped during this send; it may or may not have reached the customer' };
    this.log.warn({ messageId: cmd.messageId, channel: cmd.channel }, error.reason);
    await this.deps.ledger.failed(cmd.messageId, error, cmd.channel, cmd.accountId);
    await this.status(cmd, 'failed', undefined, error);
    this.outcomes.inc({ channel: cmd.channel, outcome: 'in_doubt' });
  }

  /** The reconcile decision for a claim without an outcome: the local record first, the peer region's once past the window. */
  private async reconcile(cmd: OutboundCommand, claimedAt: Date | undefined): Promise<ReconcileDecision> {
    const reconcilable = this.deps.transport.reconcilable?.(cmd) ?? false;
    const base = { reconcilable, claimedAt, listeningSince: this.startedAt, now: (this.deps.now ?? Date.now)(), windowMs: this.deps.reconcile.windowMs };
    const local = reconcilable ? await this.deps.ledger.confirmation(cmd.messageId) : null;
    const decision = decideUnknownSend({ ...base, ...(local ? { confirmation: local } : {}) });
    if (decision.kind !== 'resend') return decision;
    // The provider posts its statuses to whichever region answers its webhook: ask the other one of the pair.
    let peer: { providerMessageId?: string } | undefined;
    try {
      peer = await this.deps.fence.peerConfirmation(cmd);
    } catch (err) {
      this.outcomes.inc({ channel: cmd.channel, outcome: 'reconcile_held' });
      throw new RetryableError('send_reconcile_peer_unknown', `send ${cmd.messageId} of unknown outcome: the peer region could not say whether the provider's status reached it: ${(err as Error).message}`);
    }
    return decideUnknownSend({ ...base, ...(peer ? { confirmation: peer } : {}) });
  }

  private async status(cmd: OutboundCommand, status: DeliveryState, providerMessageId?: string, error?: { code: string; reason: string }): Promise<void> {
    await this.deps.publisher.publish(
      TOPICS.status,
      createEvent({
        type: 'omni.message.status.v1',
        id: statusEventId(cmd.channel, cmd.accountId, cmd.messageId, status),
        source: `/channels/${cmd.channel}/${cmd.accountId}`,
        subject: cmd.conversationId,
        tenantId: cmd.tenantId,
        region: cmd.region,
        data: {
          tenantId: cmd.tenantId, region: cmd.region, channel: cmd.channel, accountId: cmd.accountId, conversationId: cmd.conversationId,
          messageId: cmd.messageId, status, timestamp: new Date().toISOString(),
          ...(providerMessageId ? { channelMessageId: providerMessageId } : {}),
          ...(error ? { error: { ...error, retryable: false } } : {}),
        },
      }),
    );
  }
}

/** Thrown at the first provider slot when a peer region decided this send later (ADR 0300): nothing is sent. */
class SentByPeer extends OmniError {
  constructor(readonly peer: string) {
    super('sent_by_peer_region', `send decided again by region ${peer}`, false);
  }
}

/** A provider request our timeout cut: it went out, no answer came (the provider may have taken it). */
const unanswered = (err: unknown): boolean => err instanceof OmniError && err.code === 'provider_timeout';

/** Thrown out of the in-place retry for an unanswered request of a reconcilable send: the claim is kept, nothing resent here. */
class OutcomeUnknown extends OmniError {
  constructor(cause: Error) {
    super('send_outcome_unknown', cause.message, false);
  }
}

/** Errors of our own checks before the provider request: not the provider's health (the account breaker ignores them). */
const notTheProvider = (err: unknown): boolean =>
  err instanceof ClaimSettled || err instanceof SentByPeer || (err instanceof OmniError && err.code === 'region_send_unknown');

/** Thrown at the first provider slot when the send was claimed before (a redelivery): nothing is sent. */
class ClaimSettled extends OmniError {
  constructor(readonly claim: Exclude<Claim, { kind: 'claimed' }>) {
    super('send_claimed_before', `send claimed before (${claim.kind})`, false);
  }
}
