import { CloudEvent, DeliveryStatus, OutboundCommand, createEvent } from '@omni/contracts';
import { AccountRateLimiter, Claim, SendLedger, SendShare, outboundSender } from '@omni/channel-kit';
import type { EventPublisher } from '@omni/messaging';
import { BreakerRegistry } from '@omni/resilience';
import { GraphApiServer, startGraphApiServer } from '../../../../test/contract-servers/graph-api';
import { DEMO_SECRETS_KEK } from '@omni/secrets';
import { WhatsAppConfigSchema } from '../config';
import { whatsAppSender } from './whatsapp-sender';

const PN = '106540352242922';
const configFor = (baseUrl: string) =>
  WhatsAppConfigSchema.parse({
    SECRETS_KEK: DEMO_SECRETS_KEK,
    WHATSAPP_VERIFY_TOKEN: 'unit-verify-token', WHATSAPP_APP_SECRET: 'unit-app-secret', WHATSAPP_ACCESS_TOKEN: 'unit-access-token', WHATSAPP_PHONE_NUMBER_ID: PN,
    WHATSAPP_HTTP_TIMEOUT_MS: '500', WHATSAPP_API_BASE_URL: baseUrl,
  });

/** The send ledger's contract in memory: claim once, then sent / failed / released. */
function memoryLedger(): SendLedger {
  const docs = new Map<string, { state: 'sending' | 'sent' | 'failed'; providerMessageId?: string }>();
  return {
    claim: async (id: string): Promise<Claim> => {
      const doc = docs.get(id);
      if (!doc) {
        docs.set(id, { state: 'sending' });
        return { kind: 'claimed' };
      }
      const full = { _id: id, channel: 'whatsapp', accountId: PN, claimedAt: new Date(), ...doc };
      return doc.state === 'sending' ? { kind: 'in_doubt', doc: full } : { kind: 'done', doc: full };
    },
    sent: async (id: string, providerMessageId?: string) => void docs.set(id, { state: 'sent', providerMessageId }),
    failed: async (id: string) => void docs.set(id, { state: 'failed' }),
    release: async (id: string) => void docs.delete(id),
  } as unknown as SendLedger;
}

function command(n: number): CloudEvent<OutboundCommand> {
  return createEvent({
    type: 'omni.message.send.v1', id: `cmd-${n}`, source: '/router', subject: 'conv-1', tenantId: 'default', region: 'local',
    data: {
      tenantId: 'default', region: 'local', channel: 'whatsapp', accountId: PN, conversationId: 'conv-1', messageId: `msg-${n}`,
      recipient: { channelUserId: '16505551234' }, author: { kind: 'bot' }, createdAt: new Date().toISOString(),
      message: { type: 'text', text: `reply ${n}`, attachments: [] },
    },
  });
}

describe('WhatsApp outbound breaker', () => {
  let graph: GraphApiServer;
  const breakers = new BreakerRegistry();
  const limiter = new AccountRateLimiter({ perAccountPerSecond: 1_000 }, SendShare.whole());
  const statuses: DeliveryStatus[] = [];

  beforeAll(async () => {
    graph = await startGraphApiServer({ accessToken: 'unit-access-token' });
  });
  afterAll(async () => {
    breakers.shutdown();
    await limiter.stop();
    await graph.close();
  });

  const publisher = { publish: async (_t: string, e: CloudEvent | CloudEvent[]) => void statuses.push(...[e].flat().map((x) => x.data as DeliveryStatus)) } as unknown as EventPublisher;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const codes = (results: unknown[]) => results.map((e) => (e as { code?: string } | undefined)?.code);

  it('opens under repeated 5xx, stops calling Meta while open, keeps half-open bystanders retryable, and recovers', async () => {
    const sender = outboundSender(
      whatsAppSender(
        { config: configFor(graph.url), context: { read: async () => ({ lastInboundAt: new Date() }) }, tokens: { accessTokenFor: async () => 'unit-access-token' } },
        // One attempt per command: the breaker, not the retry loop, is under test.
        { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 0 }, breaker: { resetTimeout: 1_000 } },
      ),
      { ledger: memoryLedger(), fence: { verdict: async () => ({ send: true }), peerConfirmation: async () => undefined }, reconcile: { windowMs: 1_000 }, publisher, limiter, breakers },
    );
    graph.inject({ kind: 'server-error', status: 500 }, 1_000);
    const fire = (ns: number[]) => Promise.all(ns.map((n) => sender.handle(command(n)).then(() => undefined, (e: unknown) => e)));

    const opening: unknown[] = [];
    for (let n = 0; n < 5; n++) opening.push(...(await fire([n])));
    // The failure that opens the breaker is reported as the breaker's (the fallback sees it open).
    expect(codes(opening)).toEqual([...Array(4).fill('provider_unavailable'), 'dependency_unavailable']);
    expect(graph.requests).toHaveLength(5);
    // Open: fails fast and never reaches Meta.
    expect(codes(await fire([5, 6, 7]))).toEqual(Array(3).fill('dependency_unavailable'));
    expect(graph.requests).toHaveLength(5);

    // Half-open with Meta still failing: one trial call goes out; the calls beside it stay retryable.
    await sleep(1_050);
    const halfOpen = await fire([8, 9, 10]);
    expect(codes(halfOpen)).toEqual(Array(3).fill('dependency_unavailable'));
    expect(halfOpen.every((e) => (e as { retryable?: boolean }).retryable === true)).toBe(true);
    expect(graph.requests).toHaveLength(6);

    graph.reset();
    await sleep(1_050);
    await sender.handle(command(11)); // the half-open trial succeeds and closes the breaker
    await sender.handle(command(12));
    expect(graph.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(statuses.filter((s) => s.status === 'sent').map((s) => s.messageId)).toEqual(['msg-11', 'msg-12']);
    // Retryable failures are never reported as failed: the retry topic and then the DLQ own them.
    expect(statuses.filter((s) => s.status === 'failed')).toHaveLength(0);
  });
});

describe('WhatsApp outbound timeouts (issue 15 #11)', () => {
  let graph: GraphApiServer;
  const registries: BreakerRegistry[] = [];
  const statuses: DeliveryStatus[] = [];
  const publisher = { publish: async (_t: string, e: CloudEvent | CloudEvent[]) => void statuses.push(...[e].flat().map((x) => x.data as DeliveryStatus)) } as unknown as EventPublisher;

  beforeAll(async () => {
    graph = await startGraphApiServer({ accessToken: 'unit-access-token' });
  });
  afterEach(() => {
    graph.reset();
    statuses.length = 0;
  });
  afterAll(async () => {
    registries.forEach((r) => r.shutdown());
    await graph.close();
  });

  function senderWith(limiter: AccountRateLimiter) {
    const breakers = new BreakerRegistry();
    registries.push(breakers);
    return outboundSender(
      whatsAppSender(
        { config: configFor(graph.url), context: { read: async () => ({ lastInboundAt: new Date() }) }, tokens: { accessTokenFor: async () => 'unit-access-token' } },
        { retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 0 } },
      ),
      { ledger: memoryLedger(), fence: { verdict: async () => ({ send: true }), peerConfirmation: async () => undefined }, reconcile: { windowMs: 1_000 }, publisher, limiter, breakers },
    );
  }

  it('a long wait on the limiter is not a timeout: the message reaches Meta once', async () => {
    // The first slot comes after 3 s: past the breaker timeout the sender had (3 × 500 ms + 1 s).
    let waits = 0;
    const limiter = {
      acquire: async () => {
        if (waits++ === 0) await new Promise((r) => setTimeout(r, 3_000));
        return () => undefined;
      },
    } as unknown as AccountRateLimiter;
    const started = Date.now();
    await senderWith(limiter).handle(command(100));
    // A send left behind by a timed-out attempt would land once its 3 s slot comes.
    await new Promise((r) => setTimeout(r, Math.max(0, started + 3_500 - Date.now())));
    expect(graph.requests).toHaveLength(1);
    expect(statuses.map((s) => [s.messageId, s.status])).toEqual([['msg-100', 'sent']]);
  }, 10_000);

  it('a hanging Graph request is aborted at WHATSAPP_HTTP_TIMEOUT_MS and not sent again in place: Meta may have taken it (the claim waits for the reconcile, ADR 0423)', async () => {
    const limiter = new AccountRateLimiter({ perAccountPerSecond: 1_000 }, SendShare.whole());
    try {
      graph.inject({ kind: 'hang' }, 1);
      await expect(senderWith(limiter).handle(command(101))).rejects.toMatchObject({ code: 'send_outcome_unknown', retryable: true });
    } finally {
      await limiter.stop();
    }
    const [hung] = graph.requests;
    expect(graph.requests).toHaveLength(1);
    // The client closed the hung request (the fetch was aborted), about WHATSAPP_HTTP_TIMEOUT_MS after it started
    // (the server sees the close a moment after the client gave up).
    while (hung.abortedAt === undefined) await new Promise((r) => setTimeout(r, 10));
    const abortedAt = hung.abortedAt;
    expect(abortedAt - hung.at).toBeGreaterThanOrEqual(450);
    expect(abortedAt - hung.at).toBeLessThan(2_000);
    // Nothing said yet: the redelivered command is confirmed by Meta's status, or sent again once after the window.
    expect(statuses.filter((s) => s.messageId === 'msg-101')).toEqual([]);
  }, 10_000);
});
