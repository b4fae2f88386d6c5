import {
  Channel, CloudEvent, DeliveryState, OmniError, OutboundCommand, TOPICS, createEvent, errorSummary, isRetryable, statusEventId,
} from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import { BreakerOptions, BreakerRegistry, RetryPolicy, withRetry } from '@omni/resilience';
import { counter, rootLogger } from '@omni/telemetry';
import type { AccountRateLimiter, Done } from './rate-limiter';
import type { Claim, SendLedger } from './send-ledger';
import type { FenceVerdict, SendFence } from './send-fence';

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

/** In-place retries of an outcome write (a database blip must not turn a sent message into an unknown one). */
const LEDGER_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

export interface OutboundSenderDeps {
  transport: ChannelTransport;
  ledger: SendLedger;
  /** Paired regions (ADR 0300): whether a peer region decided this send later (then it is not sent here). */
  fence: Pick<SendFence, 'verdict'>;
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

  constructor(private readonly deps: OutboundSenderDeps) {}

  async handle(event: CloudEvent<OutboundCommand>): Promise<void> {
    const cmd = event.data;
    const { ledger, transport } = this.deps;
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
      claim ??= await ledger.claim(cmd.messageId, cmd.channel, cmd.accountId);
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
    let result: { providerMessageId?: string };
    try {
      result = await withRetry(() => breaker.fire(cmd, pace), this.deps.retry);
    } catch (err) {
      if (err instanceof ClaimSettled) return this.settled(cmd, err.claim);
      if (err instanceof SentByPeer) {
        // Nothing claimed, nothing said: the peer region's send is the customer's answer.
        this.outcomes.inc({ channel: cmd.channel, outcome: 'sent_by_peer_region' });
        return;
      }
      if (isRetryable(err)) {
        // The provider did not take it: free this send's claim (if it got that far) for the retry topic's next attempt.
        if (claim?.kind === 'claimed') await ledger.release(cmd.messageId);
        this.outcomes.inc({ channel: cmd.channel, outcome: 'retry' });
        throw err;
      }
      // A permanent failure before any provider request (an unknown account) is claimed too, so
      // that a redelivery reports it instead of sending.
      if (!claim) {
        claim = await ledger.claim(cmd.messageId, cmd.channel, cmd.accountId);
        if (claim.kind !== 'claimed') return this.settled(cmd, claim);
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
    await withRetry(() => ledger.sent(cmd.messageId, result.providerMessageId, cmd.channel, cmd.accountId), LEDGER_RETRY);
    await this.status(cmd, 'sent', result.providerMessageId);
    this.outcomes.inc({ channel: cmd.channel, outcome: 'sent' });
  }

  /** A command whose send was claimed before (a redelivery): its outcome said again, or reported unknown. */
  private async settled(cmd: OutboundCommand, claim: Exclude<Claim, { kind: 'claimed' }>): Promise<void> {
    if (claim.kind === 'done') {
      // Sent (or failed) before; the status may not have made it out before a crash: say it again.
      const d = claim.doc;
      await this.status(cmd, d.state === 'sent' ? 'sent' : 'failed', d.providerMessageId, d.error);
      return;
    }
    const error = { code: 'send_outcome_unknown', reason: 'the gateway stopped during this send; it may or may not have reached the customer' };
    this.log.warn({ messageId: cmd.messageId, channel: cmd.channel }, error.reason);
    await this.deps.ledger.failed(cmd.messageId, error, cmd.channel, cmd.accountId);
    await this.status(cmd, 'failed', undefined, error);
    this.outcomes.inc({ channel: cmd.channel, outcome: 'in_doubt' });
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

/** Errors of our own checks before the provider request: not the provider's health (the account breaker ignores them). */
const notTheProvider = (err: unknown): boolean =>
  err instanceof ClaimSettled || err instanceof SentByPeer || (err instanceof OmniError && err.code === 'region_send_unknown');

/** Thrown at the first provider slot when the send was claimed before (a redelivery): nothing is sent. */
class ClaimSettled extends OmniError {
  constructor(readonly claim: Exclude<Claim, { kind: 'claimed' }>) {
    super('send_claimed_before', `send claimed before (${claim.kind})`, false);
  }
}
