import { CloudEvent, FatalError, OutboundCommand, RetryableError, WaitError, createEvent } from '@omni/contracts';
import type { EventPublisher, MessagingLifecycle, SubscriptionOptions } from '@omni/messaging';
import { BreakerRegistry } from '@omni/resilience';
import { ChannelOutboundConsumer } from './outbound-consumer';
import { ChannelTransport, OutboundSender, Pace } from './outbound-sender';
import { AccountRateLimiter } from './rate-limiter';
import { SendShare } from './send-share';
import type { Claim, SendHoldDoc, SendLedger } from './send-ledger';
import type { SendFence } from './send-fence';

/** The reconcile window of these specs: claims older than this without an outcome are resent (ADR 0423). */
const RECONCILE = { windowMs: 1_000 };

function command(n: number): CloudEvent<OutboundCommand> {
  return createEvent({
    type: 'omni.message.send.v1', id: `cmd-${n}`, source: '/router', subject: 'conv-1', tenantId: 't1', region: 'local',
    data: {
      tenantId: 't1', region: 'local', channel: 'telegram', accountId: 'bot-1', conversationId: 'conv-1', messageId: `msg-${n}`,
      recipient: { channelUserId: '42' }, author: { kind: 'bot' }, createdAt: new Date().toISOString(),
      message: { type: 'text', text: `reply ${n}`, attachments: [] },
    },
  });
}

/** A ledger that records calls; `sentFailures` outcome writes fail before one succeeds. Holds are kept in `holds`. */
function fakeLedger(sentFailures = 0) {
  const calls: string[] = [];
  let failing = sentFailures;
  const holds = new Map<string, SendHoldDoc>();
  const ledger = {
    holdsUpTo: async (conversationId: string, offset: number, since: Date) =>
      [...holds.values()].filter((h) => h.conversationId === conversationId && h.offset <= offset && h.at > since),
    hold: async (doc: Omit<SendHoldDoc, 'at'>) => {
      calls.push(`hold ${doc._id} ${doc.reason}`);
      if (!holds.has(doc._id)) holds.set(doc._id, { ...doc, at: new Date() });
    },
    unhold: async (id: string) => { calls.push(`unhold ${id}`); holds.delete(id); },
    claim: async (id: string): Promise<Claim> => { calls.push(`claim ${id}`); return { kind: 'claimed' }; },
    sent: async (id: string, providerId?: string, _c?: string, _a?: string, via?: string) => {
      calls.push(`sent ${id} ${providerId}${via ? ` ${via}` : ''}`);
      if (failing-- > 0) throw new Error('write concern timeout');
    },
    failed: async (id: string, e: { code: string }) => { calls.push(`failed ${id} ${e.code}`); },
    release: async (id: string) => { calls.push(`release ${id}`); },
    claimResend: async (id: string): Promise<Claim> => { calls.push(`claim resend ${id}`); return { kind: 'claimed' }; },
    releaseResend: async (id: string) => { calls.push(`release resend ${id}`); },
    confirmation: async (): Promise<{ providerMessageId?: string } | null> => null,
  } as unknown as SendLedger;
  return { ledger, calls, holds };
}

/** The region fence: every send allowed, or the ids a peer region decided later; the peer has no provider status of any send. */
function fakeFence(peerDecided: string[] = []): Pick<SendFence, 'verdict' | 'peerConfirmation'> {
  return {
    verdict: async (cmd) => (peerDecided.includes(cmd.messageId) ? { send: false, peer: 'local-b', epoch: 2 } : { send: true }),
    peerConfirmation: async () => undefined,
  };
}

function fakePublisher() {
  const published: { status: string }[] = [];
  const publisher = { publish: async (_t: string, e: CloudEvent<{ status: string }>) => { published.push({ status: e.data.status }); } } as unknown as EventPublisher;
  return { publisher, published };
}

/** A transport of `parts` requests per send; `paces` counts the slots it asked for. */
function transport(opts: { parts?: number; pacesRequests?: boolean; error?: () => Error } = {}) {
  const log: string[] = [];
  const t: ChannelTransport = {
    channel: 'telegram',
    pacesRequests: opts.pacesRequests,
    send: async (cmd: OutboundCommand, pace: Pace) => {
      for (let i = 0; i < (opts.parts ?? 1); i++) {
        const done = opts.pacesRequests ? await pace() : () => undefined;
        log.push(`request ${cmd.messageId} ${i}`);
        done();
        if (opts.error) throw opts.error();
      }
      return { providerMessageId: `p-${cmd.messageId}` };
    },
  };
  return { t, log };
}

describe('OutboundSender', () => {
  // One registry per sender, as in the apps: a registry keeps the first action given for a name.
  const registries: BreakerRegistry[] = [];
  afterAll(() => registries.forEach((r) => r.shutdown()));

  function sender(t: ChannelTransport, ledger: SendLedger, publisher: EventPublisher, fence = fakeFence(), now?: () => number) {
    const breakers = new BreakerRegistry();
    registries.push(breakers);
    const limiter = new AccountRateLimiter({ perAccountPerSecond: 1_000 }, SendShare.whole());
    const paces: string[] = [];
    const acquire = limiter.acquire.bind(limiter);
    limiter.acquire = async (account: string, recipient: string) => { paces.push(`${account}/${recipient}`); return acquire(account, recipient); };
    const s = new OutboundSender({ transport: t, ledger, fence, reconcile: RECONCILE, now, startedAt: 0, publisher, limiter, breakers, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    return { s, paces };
  }

  it('paces every provider request of a transport that paces itself, records the outcome, then publishes sent', async () => {
    const { ledger, calls } = fakeLedger();
    const { publisher, published } = fakePublisher();
    const tr = transport({ parts: 3, pacesRequests: true });
    const { s, paces } = sender(tr.t, ledger, publisher);
    await s.handle(command(1));
    expect(paces).toEqual(['bot-1/42', 'bot-1/42', 'bot-1/42']);
    expect(tr.log).toHaveLength(3);
    expect(calls).toEqual(['claim msg-1', 'sent msg-1 p-msg-1']);
    expect(published).toEqual([{ status: 'sent' }]);
  });

  it('sends nothing, claims nothing and says nothing when a peer region decided the send later (ADR 0300), and asks the fence once per send', async () => {
    const { ledger, calls } = fakeLedger();
    const { publisher, published } = fakePublisher();
    const tr = transport({ parts: 2, pacesRequests: true });
    let asked = 0;
    const fence = fakeFence(['msg-20']);
    const { s } = sender(tr.t, ledger, publisher, { ...fence, verdict: async (cmd) => { asked++; return fence.verdict(cmd); } });
    await s.handle(command(20));
    expect(tr.log).toEqual([]);
    expect(calls).toEqual([]);
    expect(published).toEqual([]);

    await s.handle(command(21));
    expect(tr.log).toEqual(['request msg-21 0', 'request msg-21 1']);
    expect(calls).toEqual(['claim msg-21', 'sent msg-21 p-msg-21']);
    expect(asked).toBe(2);
  });

  it('paces a transport that does not pace itself once per send', async () => {
    const { ledger } = fakeLedger();
    const { publisher } = fakePublisher();
    const tr = transport({ parts: 2 });
    const { s, paces } = sender(tr.t, ledger, publisher);
    await s.handle(command(2));
    expect(paces).toHaveLength(1);
    expect(tr.log).toHaveLength(2);
  });

  it('frees the claim and rethrows when the provider fails retryably (the retry topic sends again)', async () => {
    const { ledger, calls } = fakeLedger();
    const { publisher, published } = fakePublisher();
    const { s } = sender(transport({ pacesRequests: true, error: () => new RetryableError('provider_unavailable', '503') }).t, ledger, publisher);
    await expect(s.handle(command(3))).rejects.toThrow('503');
    expect(calls).toEqual(['claim msg-3', 'release msg-3']);
    expect(published).toEqual([]);
  });

  it('records a permanent provider error as failed and publishes it', async () => {
    const { ledger, calls } = fakeLedger();
    const { publisher, published } = fakePublisher();
    const { s } = sender(transport({ pacesRequests: true, error: () => new FatalError('blocked', 'bot was blocked by the user') }).t, ledger, publisher);
    await s.handle(command(4));
    expect(calls).toEqual(['claim msg-4', 'failed msg-4 blocked']);
    expect(published).toEqual([{ status: 'failed' }]);
  });

  it('retries a failed outcome write in place and never frees the claim of a message the provider took', async () => {
    const { ledger, calls } = fakeLedger(2);
    const { publisher, published } = fakePublisher();
    const tr = transport({ pacesRequests: true });
    const { s } = sender(tr.t, ledger, publisher);
    await s.handle(command(5));
    expect(tr.log).toEqual(['request msg-5 0']);
    expect(calls.filter((c) => c.startsWith('sent'))).toHaveLength(3);
    expect(calls).not.toContain('release msg-5');
    expect(published).toEqual([{ status: 'sent' }]);

    const down = fakeLedger(Infinity);
    const { s: s2 } = sender(transport({ pacesRequests: true }).t, down.ledger, fakePublisher().publisher);
    await expect(s2.handle(command(6))).rejects.toThrow('write concern timeout');
    expect(down.calls).not.toContain('release msg-6');
  });

  describe('the claim, taken right before the first provider request (regions drill: local-a killed mid-send)', () => {
    it('is not taken while the send waits for its slot: a process that dies then leaves nothing, and the redelivery sends', async () => {
      const { ledger, calls } = fakeLedger();
      const { publisher } = fakePublisher();
      const breakers = new BreakerRegistry();
      registries.push(breakers);
      let grant: () => void = () => undefined;
      const limiter = { acquire: () => new Promise<() => void>((r) => { grant = () => r(() => undefined); }) } as unknown as AccountRateLimiter;
      const tr = transport({ pacesRequests: true });
      const s = new OutboundSender({ transport: tr.t, ledger, fence: fakeFence(), reconcile: RECONCILE, publisher, limiter, breakers, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
      const handled = s.handle(command(20));
      await new Promise((r) => setImmediate(r));
      expect(calls).toEqual([]); // waiting for the slot: no claim yet
      grant();
      await handled;
      expect(calls).toEqual(['claim msg-20', 'sent msg-20 p-msg-20']);
      expect(tr.log).toEqual(['request msg-20 0']);
    });

    it('a send claimed and done before: no provider request, its outcome said again', async () => {
      const { ledger, calls } = fakeLedger();
      (ledger as { claim: SendLedger['claim'] }).claim = async (id) => {
        calls.push(`claim ${id}`);
        return { kind: 'done', doc: { _id: id, channel: 'telegram', accountId: 'bot-1', state: 'sent', providerMessageId: 'p-x', claimedAt: new Date() } };
      };
      const { publisher, published } = fakePublisher();
      const tr = transport({ pacesRequests: true });
      const { s } = sender(tr.t, ledger, publisher);
      await s.handle(command(21));
      expect(tr.log).toEqual([]);
      expect(calls).toEqual(['claim msg-21']);
      expect(published).toEqual([{ status: 'sent' }]);
    });

    it('a claim without an outcome (the process died mid-request), on a provider that echoes no key: reported unknown, never sent again', async () => {
      const { ledger, calls } = fakeLedger();
      (ledger as { claim: SendLedger['claim'] }).claim = async (id) => {
        calls.push(`claim ${id}`);
        return { kind: 'in_doubt', doc: { _id: id, channel: 'telegram', accountId: 'bot-1', state: 'sending', claimedAt: new Date() } };
      };
      const { publisher, published } = fakePublisher();
      const tr = transport({ parts: 1 });
      const { s } = sender(tr.t, ledger, publisher);
      await s.handle(command(22));
      expect(tr.log).toEqual([]);
      expect(calls).toEqual(['claim msg-22', 'failed msg-22 send_outcome_unknown']);
      expect(published).toEqual([{ status: 'failed' }]);
    });

    describe('a claim without an outcome on a provider that echoes our key on its statuses (WhatsApp): reconciled (issue 13)', () => {
      const CLAIMED_AT = Date.parse('2026-12-07T14:37:00.587Z');
      /** A reconcilable transport, the ledger's record of the cut send (claimed at CLAIMED_AT, no outcome) and a clock `ageMs` after the claim. */
      function cut(opts: { ageMs: number; confirmed?: string; peer?: { confirmed?: string; down?: boolean }; resend?: Claim; peerDecidedLater?: boolean }) {
        const { ledger, calls } = fakeLedger();
        const l = ledger as unknown as Record<string, unknown>;
        l.claim = async (id: string): Promise<Claim> => {
          calls.push(`claim ${id}`);
          return { kind: 'in_doubt', doc: { _id: id, channel: 'whatsapp', accountId: 'bot-1', state: 'sending', claimedAt: new Date(CLAIMED_AT) } };
        };
        l.confirmation = async () => (opts.confirmed ? { providerMessageId: opts.confirmed } : null);
        if (opts.resend) l.claimResend = async (id: string) => { calls.push(`claim resend ${id}`); return opts.resend; };
        const fence = fakeFence(opts.peerDecidedLater ? ['msg-30'] : []);
        fence.peerConfirmation = async () => {
          calls.push('ask peer');
          if (opts.peer?.down) throw new Error('region local-b unreachable');
          return opts.peer?.confirmed ? { providerMessageId: opts.peer.confirmed } : undefined;
        };
        const { publisher, published } = fakePublisher();
        const tr = transport({ pacesRequests: true });
        tr.t.reconcilable = () => true;
        const { s } = sender(tr.t, ledger, publisher, fence, () => CLAIMED_AT + opts.ageMs);
        return { s, calls, published, requests: tr.log };
      }

      it("the provider's status recorded here: sent (confirmed, with its id), no request", async () => {
        const c = cut({ ageMs: 10, confirmed: 'wamid.X' });
        await c.s.handle(command(30));
        expect(c.requests).toEqual([]);
        expect(c.calls).toEqual(['claim msg-30', 'sent msg-30 wamid.X confirmed']);
        expect(c.published).toEqual([{ status: 'sent' }]);
      });

      it('no status yet within the window: held (a retryable error: the retry topic brings it back), nothing sent or recorded', async () => {
        const c = cut({ ageMs: 999 });
        await expect(c.s.handle(command(30))).rejects.toMatchObject({ code: 'send_reconciling', retryable: true });
        expect(c.requests).toEqual([]);
        expect(c.calls).toEqual(['claim msg-30']);
        expect(c.published).toEqual([]);
      });

      it('no status here nor in the peer region after the window: sent again once, same key, recorded resent_after_unknown', async () => {
        const c = cut({ ageMs: 1_000 });
        await c.s.handle(command(30));
        expect(c.requests).toEqual(['request msg-30 0']);
        expect(c.calls).toEqual(['claim msg-30', 'ask peer', 'claim resend msg-30', 'sent msg-30 p-msg-30 resent_after_unknown']);
        expect(c.published).toEqual([{ status: 'sent' }]);
      });

      it("the provider's status reached the peer region: sent (confirmed), no request", async () => {
        const c = cut({ ageMs: 5_000, peer: { confirmed: 'wamid.B' } });
        await c.s.handle(command(30));
        expect(c.requests).toEqual([]);
        expect(c.calls).toEqual(['claim msg-30', 'ask peer', 'sent msg-30 wamid.B confirmed']);
      });

      it('the peer region does not answer: held, never a guess', async () => {
        const c = cut({ ageMs: 5_000, peer: { down: true } });
        await expect(c.s.handle(command(30))).rejects.toMatchObject({ code: 'send_reconcile_peer_unknown', retryable: true });
        expect(c.requests).toEqual([]);
      });

      it('the resend was claimed before and has no outcome (cut too): unknown, no third request', async () => {
        const c = cut({ ageMs: 5_000, resend: { kind: 'in_doubt', doc: { _id: 'msg-30', channel: 'whatsapp', accountId: 'bot-1', state: 'sending' } } });
        await c.s.handle(command(30));
        expect(c.requests).toEqual([]);
        expect(c.calls).toEqual(['claim msg-30', 'ask peer', 'claim resend msg-30', 'failed msg-30 send_outcome_unknown']);
        expect(c.published).toEqual([{ status: 'failed' }]);
      });

      it('the resend was done by another delivery (a rebalance): its outcome said again, no request', async () => {
        const c = cut({ ageMs: 5_000, resend: { kind: 'done', doc: { _id: 'msg-30', channel: 'whatsapp', accountId: 'bot-1', state: 'sent', providerMessageId: 'wamid.R' } } });
        await c.s.handle(command(30));
        expect(c.requests).toEqual([]);
        expect(c.published).toEqual([{ status: 'sent' }]);
      });

      it('a request of a reconcilable send cut by our timeout is not retried in place: the claim is kept for the reconcile (a retryable error: the redelivery reconciles it)', async () => {
        const { ledger, calls } = fakeLedger();
        const { publisher, published } = fakePublisher();
        const requests: string[] = [];
        const t: ChannelTransport = {
          channel: 'whatsapp', pacesRequests: true, reconcilable: () => true,
          send: async (cmd, pace) => {
            const done = await pace();
            requests.push(cmd.messageId);
            done();
            throw new RetryableError('provider_timeout', 'POST /messages: no answer in 5000 ms');
          },
        };
        const { s } = sender(t, ledger, publisher);
        await expect(s.handle(command(31))).rejects.toMatchObject({ code: 'send_outcome_unknown', retryable: true });
        expect(requests).toEqual(['msg-31']);
        expect(calls).toEqual(['claim msg-31']); // not released, no outcome: the redelivery finds it in doubt
        expect(published).toEqual([]);

        // Unreachable (nothing went out) is retried in place as before; so is a timeout of a send that cannot be reconciled.
        const other = fakeLedger();
        let n = 0;
        const flaky: ChannelTransport = {
          channel: 'whatsapp', pacesRequests: true, reconcilable: () => false,
          send: async (cmd, pace) => {
            (await pace())();
            if (n++ === 0) throw new RetryableError('provider_timeout', 'no answer');
            return { providerMessageId: `p-${cmd.messageId}` };
          },
        };
        await sender(flaky, other.ledger, fakePublisher().publisher).s.handle(command(32));
        expect(n).toBe(2);
        expect(other.calls).toEqual(['claim msg-32', 'sent msg-32 p-msg-32']);
      });

      it('a send a peer region decided later is still not sent (ADR 0300 fence before the claim): nothing reconciled', async () => {
        const c = cut({ ageMs: 5_000, peerDecidedLater: true });
        await c.s.handle(command(30));
        expect(c.requests).toEqual([]);
        expect(c.calls).toEqual([]);
      });
    });

    describe('order behind a held send (issue 13: a later reply must not overtake one parked on the retry topic)', () => {
      /** conv-1: msg-40 cut mid-request (claimed at 0, no outcome), msg-41 after it; conv-2: msg-42. A clock to move. */
      function held() {
        const { ledger, calls, holds } = fakeLedger();
        const l = ledger as unknown as Record<string, unknown>;
        const claim = l.claim as (id: string) => Promise<Claim>;
        l.claim = async (id: string): Promise<Claim> => {
          if (id !== 'msg-40') return claim(id);
          calls.push(`claim ${id}`);
          return { kind: 'in_doubt', doc: { _id: id, channel: 'whatsapp', accountId: 'bot-1', state: 'sending', claimedAt: new Date(0) } };
        };
        const { publisher } = fakePublisher();
        const tr = transport({ pacesRequests: true });
        tr.t.reconcilable = () => true;
        const clock = { now: Date.now() };
        // The process started at 0 with the claim: the window runs from there.
        const breakers = new BreakerRegistry();
        registries.push(breakers);
        const s = new OutboundSender({
          transport: tr.t, ledger, fence: fakeFence(), reconcile: RECONCILE, now: () => clock.now, startedAt: 0, publisher,
          limiter: new AccountRateLimiter({ perAccountPerSecond: 1_000 }, SendShare.whole()), breakers, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
        });
        clock.now = 500; // within the window
        const cmd = (n: number, conversationId = 'conv-1') => {
          const e = command(n);
          return { ...e, data: { ...e.data, conversationId } };
        };
        return { s, calls, holds, clock, requests: tr.log, cmd };
      }

      it('a later send of the held conversation waits (held behind it) until the held one is decided; another conversation goes on', async () => {
        const h = held();
        // The held send: its conversation is held before the command goes to the retry topic.
        await expect(h.s.handle(h.cmd(40), { offset: '10' })).rejects.toMatchObject({ code: 'send_reconciling', retryable: true });
        // The next reply of that conversation: not sent, held behind it (its own hold: those after it wait too).
        await expect(h.s.handle(h.cmd(41), { offset: '11' })).rejects.toMatchObject({ code: 'send_held_behind', retryable: true });
        // Another conversation is not held.
        await h.s.handle(h.cmd(42, 'conv-2'), { offset: '12' });
        // The retry topic brings the later reply back before the held one is decided: still behind it.
        await expect(h.s.handle(h.cmd(41), { offset: '11' })).rejects.toMatchObject({ code: 'send_held_behind' });
        expect(h.requests).toEqual(['request msg-42 0']);
        expect([...h.holds.keys()]).toEqual(['msg-40', 'msg-41']);

        // Past the window: the held send is sent again once and frees its conversation; then the later reply goes out.
        h.clock.now = 5_000;
        await h.s.handle(h.cmd(40), { offset: '10' });
        await h.s.handle(h.cmd(41), { offset: '11' });
        expect(h.requests).toEqual(['request msg-42 0', 'request msg-40 0', 'request msg-41 0']);
        expect(h.holds.size).toBe(0);
        expect(h.calls.filter((c) => /^(un)?hold/.test(c))).toEqual(['hold msg-40 reconcile', 'hold msg-41 behind', 'unhold msg-40', 'unhold msg-41']);
        // A redelivery of a decided send finds no hold and holds nothing.
        await h.s.handle(h.cmd(41), { offset: '11' });
        expect(h.holds.size).toBe(0);
      });

      it('a send the provider refused for now (a plain retry, on a channel with no reconcile) holds its conversation too: the later reply waits behind it, then follows it', async () => {
        const { ledger, calls, holds } = fakeLedger();
        let refuse = true;
        const requests: string[] = [];
        const t: ChannelTransport = {
          channel: 'telegram',
          pacesRequests: true,
          send: async (c: OutboundCommand, pace: Pace) => {
            const done = await pace();
            done();
            requests.push(c.messageId);
            if (refuse && c.messageId === 'msg-43') throw new RetryableError('rate_limited', 'Too Many Requests: retry after 5');
            return { providerMessageId: `p-${c.messageId}` };
          },
        };
        const { s } = sender(t, ledger, fakePublisher().publisher);
        const other = (() => { const e = command(45); return { ...e, data: { ...e.data, conversationId: 'conv-2' } }; })();
        // Refused through the in-place retries: parked on the retry topic, its conversation held first.
        await expect(s.handle(command(43), { offset: '13' })).rejects.toMatchObject({ code: 'rate_limited', retryable: true });
        // The next reply of that conversation does not overtake it; another conversation goes on.
        // Waiting, not failing: the consumer checks it again within a second, spending none of its retries.
        const behind = await s.handle(command(44), { offset: '14' }).catch((err: unknown) => err);
        expect(behind).toBeInstanceOf(WaitError);
        expect(behind).toMatchObject({ code: 'send_held_behind', retryable: true, recheckMs: 1_000 });
        await s.handle(other, { offset: '15' });
        expect(requests).toEqual(['msg-43', 'msg-43', 'msg-45']);
        // The retry topic brings the refused one back, now taken: it frees its conversation, and the later reply follows.
        refuse = false;
        await s.handle(command(43), { offset: '13' });
        await s.handle(command(44), { offset: '14' });
        expect(requests).toEqual(['msg-43', 'msg-43', 'msg-45', 'msg-43', 'msg-44']);
        expect(calls.filter((c) => /^(un)?hold/.test(c))).toEqual(['hold msg-43 retry', 'hold msg-44 behind', 'unhold msg-43', 'unhold msg-44']);
        expect(holds.size).toBe(0);
      });

      it('on its last attempt a held send going to the DLQ frees its conversation, and a send behind one goes out rather than to the DLQ', async () => {
        const h = held();
        await expect(h.s.handle(h.cmd(40), { offset: '10' })).rejects.toMatchObject({ code: 'send_reconciling' });
        await expect(h.s.handle(h.cmd(41), { offset: '11' })).rejects.toMatchObject({ code: 'send_held_behind' });
        // msg-41's last attempt while msg-40 is still held: out of order, not lost to the DLQ.
        await h.s.handle(h.cmd(41), { offset: '11', final: true });
        expect(h.requests).toEqual(['request msg-41 0']);
        // msg-40's last attempt, still undecided: dead-lettered, its hold gone (nothing waits behind a DLQ record).
        await expect(h.s.handle(h.cmd(40), { offset: '10', final: true })).rejects.toMatchObject({ code: 'send_reconciling' });
        expect(h.holds.size).toBe(0);
      });
    });

    it('a permanent failure before any request is claimed and recorded failed; a retryable one frees no claim it never took', async () => {
      const fatal = fakeLedger();
      const t: ChannelTransport = { channel: 'telegram', pacesRequests: true, send: async () => { throw new FatalError('unknown_account', 'no token'); } };
      await sender(t, fatal.ledger, fakePublisher().publisher).s.handle(command(23));
      expect(fatal.calls).toEqual(['claim msg-23', 'failed msg-23 unknown_account']);
      const retry = fakeLedger();
      const t2: ChannelTransport = { channel: 'telegram', pacesRequests: true, send: async () => { throw new RetryableError('store_unavailable', 'read timed out'); } };
      await expect(sender(t2, retry.ledger, fakePublisher().publisher).s.handle(command(24))).rejects.toThrow('read timed out');
      expect(retry.calls).toEqual([]);
    });
  });

  describe('no breaker timeout around the limiter wait and the send (issue 15 #11)', () => {
    afterEach(() => jest.useRealTimers());

    it('a send that waits on the limiter longer than the breaker default (5 s) goes out once, not again beside a retry', async () => {
      jest.useFakeTimers();
      const { ledger, calls } = fakeLedger();
      const { publisher, published } = fakePublisher();
      const breakers = new BreakerRegistry();
      registries.push(breakers);
      // A busy account: the first slot comes after 8 s, later ones at once.
      let waits = 0;
      const limiter = {
        acquire: async () => {
          if (waits++ === 0) await new Promise((r) => setTimeout(r, 8_000));
          return () => undefined;
        },
      } as unknown as AccountRateLimiter;
      const tr = transport({ pacesRequests: true });
      const s = new OutboundSender({ transport: tr.t, ledger, fence: fakeFence(), reconcile: RECONCILE, publisher, limiter, breakers, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 10 } });
      const handled = s.handle(command(7));
      await jest.advanceTimersByTimeAsync(10_000);
      await handled;
      expect(tr.log).toEqual(['request msg-7 0']);
      expect(calls).toEqual(['claim msg-7', 'sent msg-7 p-msg-7']);
      expect(published).toEqual([{ status: 'sent' }]);
    });

    it('a retry starts only after the attempt before it has ended', async () => {
      jest.useFakeTimers();
      const { ledger } = fakeLedger();
      const { publisher } = fakePublisher();
      const breakers = new BreakerRegistry();
      registries.push(breakers);
      let inFlight = 0;
      let most = 0;
      let attempts = 0;
      // A provider request that takes 7 s and fails retryably the first time (a transport's own timeout).
      const t: ChannelTransport = {
        channel: 'telegram',
        send: async (cmd: OutboundCommand) => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          try {
            await new Promise((r) => setTimeout(r, 7_000));
            if (attempts++ === 0) throw new RetryableError('provider_timeout', 'no answer in 7000 ms');
            return { providerMessageId: `p-${cmd.messageId}` };
          } finally {
            inFlight -= 1;
          }
        },
      };
      const limiter = { acquire: async () => () => undefined } as unknown as AccountRateLimiter;
      const s = new OutboundSender({ transport: t, ledger, fence: fakeFence(), reconcile: RECONCILE, publisher, limiter, breakers, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 10 } });
      const handled = s.handle(command(8));
      await jest.advanceTimersByTimeAsync(20_000);
      await handled;
      expect(attempts).toBe(2);
      expect(most).toBe(1);
    });
  });
});

describe('ChannelOutboundConsumer', () => {
  it("subscribes the channel's group to its outbound topic with the sender's key concurrency, sends each command once through the ledger, and closes the sender at shutdown", async () => {
    const { ledger, calls } = fakeLedger();
    const { publisher, published } = fakePublisher();
    const { t, log } = transport({ pacesRequests: true });
    const subscriptions: SubscriptionOptions[] = [];
    const messaging = { subscribe: async (o: SubscriptionOptions) => void subscriptions.push(o) } as unknown as MessagingLifecycle;
    let closed = 0;
    const consumer = new ChannelOutboundConsumer(
      {
        transport: t, limits: { perAccountPerSecond: 1_000 }, keyConcurrency: 7,
        retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, breaker: {}, close: () => void closed++,
      },
      ledger, fakeFence() as SendFence, RECONCILE, publisher, messaging,
    );
    await consumer.onApplicationBootstrap();
    expect(subscriptions.map(({ groupId, topics, keyConcurrency }) => ({ groupId, topics, keyConcurrency })))
      .toEqual([{ groupId: 'channel-telegram', topics: ['omni.outbound.telegram.v1'], keyConcurrency: 7 }]);
    // Kafka's assignment gives this replica its part of each account's limit (all partitions: the whole of it, after the hold).
    subscriptions[0].onAssignment?.([{ topic: 'omni.outbound.telegram.v1', partitions: [0, 1, 2], total: 3 }]);
    await subscriptions[0].handler(command(1), { topic: 'omni.outbound.telegram.v1', partition: 0, offset: '0', attempt: 1, origin: { partition: 0, offset: '0' } });
    expect(log).toEqual(['request msg-1 0']);
    expect(calls).toEqual(['claim msg-1', 'sent msg-1 p-msg-1']);
    expect(published).toEqual([{ status: 'sent' }]);
    await consumer.onApplicationShutdown();
    expect(closed).toBe(1);
    // A command that is not a send is refused by the schema (the consumer policy parks it in the DLQ).
    await expect(subscriptions[0].handler({ ...command(2), type: 'omni.message.received.v1' }, { topic: 't', partition: 0, offset: '1', attempt: 1 })).rejects.toThrow('expected ce_type omni.message.send.v1');
  }, 10_000);
});
