import { OutboundCommand, RetryableError } from '@omni/contracts';
import type { PeerSendDoc, RegionAssignmentDoc } from '@omni/persistence';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpPeerDecisions, PeerDecision, SendFence, sendFenceConfigFromEnv } from './send-fence';

const NOW = Date.parse('2026-12-07T12:00:00Z');

function command(o: { epoch?: number; ageMs?: number } = {}): OutboundCommand {
  return {
    tenantId: 't1', region: 'local-a', channel: 'whatsapp', accountId: '100', conversationId: 'conv-1', messageId: 'reply-1',
    recipient: { channelUserId: '42' }, author: { kind: 'bot' }, message: { type: 'text', text: 'hi', attachments: [] },
    createdAt: new Date(NOW - (o.ageMs ?? 100)).toISOString(),
    ...(o.epoch ? { fence: { region: 'local-a', epoch: o.epoch } } : {}),
  };
}

/** local-a's fence: its copy of the tenant's assignment, its `peer_sends`, and local-b's answers. */
function setup(o: { epoch?: number; mirrored?: Omit<PeerSendDoc, '_id' | 'at'>; answer?: PeerDecision | Error } = {}) {
  const asked: string[] = [];
  const assignment: RegionAssignmentDoc | null = o.epoch ? { _id: 't1', home: 'local-a', standby: 'local-b', active: 'local-a', epoch: o.epoch, since: new Date(NOW).toISOString() } : null;
  const fence = new SendFence({
    config: { REGION: 'local-a', REGION_SEND_CHECK_AFTER_MS: 5_000 },
    peerSends: { get: async (id) => (o.mirrored ? { _id: id, at: new Date(NOW), ...o.mirrored } : null) },
    assignments: { get: async () => assignment },
    peers: {
      ask: async (peer, tenantId, sendId) => {
        asked.push(`${peer} ${tenantId} ${sendId}`);
        if (o.answer instanceof Error) throw o.answer;
        return o.answer ?? { decided: false };
      },
    },
    now: () => NOW,
  });
  return { fence, asked };
}

describe('SendFence (ADR 0300)', () => {
  it('sends a command without a fence (an unpaired tenant) without reading anything', async () => {
    const s = setup({ mirrored: { region: 'local-b', epoch: 9 } });
    expect(await s.fence.verdict(command())).toEqual({ send: true });
  });

  it('does not send what the peer decided at a later epoch (or at an unknown one), and sends what it decided earlier', async () => {
    expect(await setup({ epoch: 2, mirrored: { region: 'local-b', epoch: 2 } }).fence.verdict(command({ epoch: 1 }))).toEqual({ send: false, peer: 'local-b', epoch: 2 });
    expect(await setup({ epoch: 2, mirrored: { region: 'local-b' } }).fence.verdict(command({ epoch: 1 }))).toEqual({ send: false, peer: 'local-b' });
    const earlier = setup({ epoch: 3, mirrored: { region: 'local-b', epoch: 2 } });
    expect(await earlier.fence.verdict(command({ epoch: 3 }))).toEqual({ send: true });
    expect(earlier.asked).toEqual([]);
  });

  it('sends a fresh command of the current epoch without asking the peer', async () => {
    const s = setup({ epoch: 1, answer: { decided: true, epoch: 2 } });
    expect(await s.fence.verdict(command({ epoch: 1 }))).toEqual({ send: true });
    expect(s.asked).toEqual([]);
  });

  it('asks the other region about a command that outlived a switch: not sent when it decided later, sent when it did not, held when it cannot say', async () => {
    const later = setup({ epoch: 3, answer: { decided: true, epoch: 2 } });
    expect(await later.fence.verdict(command({ epoch: 1 }))).toEqual({ send: false, peer: 'local-b', epoch: 2 });
    expect(later.asked).toEqual(['local-b t1 reply-1']);
    expect(await setup({ epoch: 3, answer: { decided: false } }).fence.verdict(command({ epoch: 1 }))).toEqual({ send: true });
    const unreachable = setup({ epoch: 3, answer: new RetryableError('region_unreachable', 'refused') });
    await expect(unreachable.fence.verdict(command({ epoch: 1 }))).rejects.toMatchObject({ code: 'region_send_unknown', retryable: true });
  });

  it('asks about a command consumed late though no switch is known here yet (a region back from an outage), and sends it when the peer does not answer', async () => {
    const back = setup({ epoch: 1, answer: { decided: true, epoch: 2 } });
    expect(await back.fence.verdict(command({ epoch: 1, ageMs: 60_000 }))).toEqual({ send: false, peer: 'local-b', epoch: 2 });
    const peerDown = setup({ epoch: 1, answer: new RetryableError('region_unreachable', 'timeout') });
    expect(await peerDown.fence.verdict(command({ epoch: 1, ageMs: 60_000 }))).toEqual({ send: true });
    expect(peerDown.asked).toEqual(['local-b t1 reply-1']);
  });
});

describe('sendFenceConfigFromEnv', () => {
  it('reads the router\'s region names, and wants the operator key with peers outside the demo and test profiles', () => {
    expect(sendFenceConfigFromEnv({ REGION: 'local-a', REGION_PEERS: 'local-b=http://127.0.0.1:3110', OMNI_PROFILE: 'demo' })).toMatchObject({
      REGION: 'local-a', REGION_PEERS: [{ name: 'local-b', url: 'http://127.0.0.1:3110' }], API_KEY: 'omni-demo-admin-key', REGION_SEND_CHECK_AFTER_MS: 5_000,
    });
    expect(() => sendFenceConfigFromEnv({ REGION_PEERS: 'local-b=http://127.0.0.1:3110' })).toThrow('API_KEY');
    expect(() => sendFenceConfigFromEnv({ REGION_PEERS: 'nope' })).toThrow('REGION_PEERS');
    expect(sendFenceConfigFromEnv({}).REGION_PEERS).toEqual([]);
  });

  it("asks the other region of the pair whether the provider's status of a send reached it (issue 13); unpaired: nobody asked; no answer: thrown", async () => {
    const confirmed = setup({ epoch: 1, answer: { decided: true, epoch: 1, confirmed: { providerMessageId: 'wamid.B' } } });
    expect(await confirmed.fence.peerConfirmation(command({ epoch: 1 }))).toEqual({ providerMessageId: 'wamid.B' });
    expect(confirmed.asked).toEqual(['local-b t1 reply-1']);
    expect(await setup({ epoch: 1, answer: { decided: false } }).fence.peerConfirmation(command({ epoch: 1 }))).toBeUndefined();
    const unpaired = setup({ answer: { decided: false, confirmed: {} } });
    expect(await unpaired.fence.peerConfirmation(command())).toBeUndefined();
    expect(unpaired.asked).toEqual([]);
    await expect(setup({ epoch: 1, answer: new RetryableError('region_unreachable', 'down') }).fence.peerConfirmation(command({ epoch: 1 }))).rejects.toThrow('down');
  });

  it("reads the peer router's answer, with the provider's confirmation when it has one", async () => {
    const answers: Record<string, unknown> = {
      'r-1': { sendId: 'r-1', decided: true, epoch: 4, confirmed: { providerMessageId: 'wamid.P' } },
      'r-2': { sendId: 'r-2', decided: false },
    };
    const server = createServer((req, res) => {
      const id = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.split('/').pop() ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers[id]));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const peers = new HttpPeerDecisions({
      REGION: 'local-a', REGION_PEERS: [{ name: 'local-b', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }], API_KEY: 'k'.repeat(16), REGION_PEER_TIMEOUT_MS: 2_000,
    });
    try {
      expect(await peers.ask('local-b', 't1', 'r-1')).toEqual({ decided: true, epoch: 4, confirmed: { providerMessageId: 'wamid.P' } });
      expect(await peers.ask('local-b', 't1', 'r-2')).toEqual({ decided: false });
    } finally {
      peers.onApplicationShutdown();
      await new Promise((r) => server.close(r));
    }
  });
});
