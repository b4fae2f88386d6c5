import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageDoc, MessageRepository } from '@omni/persistence';
import type { RegionAssignment } from '@omni/routing';
import { PeerSendCheck } from './peer-send-check';
import { PeerWatch } from './peer-watch';
import { newRegionDirectory, regionConfig } from './testing';

/** The previous active region's router as the check sees it: its directory, and the sends it decided. */
async function fakePeer(assignment: RegionAssignment, decided: Set<string>, opts: { failSends?: boolean } = {}) {
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/v1/regions/directory') return void res.end(JSON.stringify({ region: 'local-b', assignments: [assignment] }));
    const sendId = decodeURIComponent(url.pathname.slice('/v1/regions/sends/'.length));
    asked.push(`${url.searchParams.get('tenantId')}/${sendId}`);
    if (opts.failSends) { res.statusCode = 503; return void res.end('{}'); }
    res.end(JSON.stringify({ sendId, decided: decided.has(sendId) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, asked, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const SWITCH_AT = Date.parse('2026-12-07T09:27:32.000Z');
// local-a is back home: the operator failed the tenant back from local-b (epoch 7).
const failedBack: RegionAssignment = { tenantId: 'default', home: 'local-a', standby: 'local-b', active: 'local-a', epoch: 7, since: new Date(SWITCH_AT).toISOString() };

function inboundStoredAt(at: number): MessageRepository {
  return { get: async (id: string) => ({ _id: id, tenantId: 'default', direction: 'inbound', createdAt: new Date(at) }) as MessageDoc } as unknown as MessageRepository;
}

async function setup(peerUrl: string, storedAt: number) {
  const config = regionConfig('local-a', 'local-b', peerUrl);
  const { directory, stores } = newRegionDirectory(config);
  await directory.onApplicationBootstrap();
  const watch = new PeerWatch(config, directory);
  await watch.tick(); // learns epoch 7 from the peer, and whether it answers
  return { check: new PeerSendCheck(config, directory, watch, inboundStoredAt(storedAt)), stores, watch };
}

describe('PeerSendCheck: a reply after a switch, checked with the previous active region', () => {
  it('asks the peer about a message stored before the switch, and records what it decided (its mirrored send may be late)', async () => {
    const peer = await fakePeer(failedBack, new Set(['reply-of-m1']));
    const { check, stores, watch } = await setup(peer.url, SWITCH_AT - 60_000);
    try {
      expect(await check.decidedByPeer('default', 'm1', 'reply-of-m1', SWITCH_AT + 5_000)).toBe(true);
      expect(stores.sends.get('reply-of-m1')).toMatchObject({ region: 'local-b', replyToMessageId: 'm1' });
      expect(await check.decidedByPeer('default', 'm2', 'reply-of-m2', SWITCH_AT + 5_000)).toBe(false);
      expect(peer.asked).toEqual(['default/reply-of-m1', 'default/reply-of-m2']);
    } finally {
      watch.onModuleDestroy();
      await peer.close();
    }
  });

  it('does not ask about a message stored after the switch, nor once REGION_TAKEOVER_CHECK_MS has passed', async () => {
    const peer = await fakePeer(failedBack, new Set(['reply-of-m1']));
    try {
      const after = await setup(peer.url, SWITCH_AT + 1_000);
      expect(await after.check.decidedByPeer('default', 'm1', 'reply-of-m1', SWITCH_AT + 5_000)).toBe(false);
      after.watch.onModuleDestroy();
      const late = await setup(peer.url, SWITCH_AT - 60_000);
      expect(await late.check.decidedByPeer('default', 'm1', 'reply-of-m1', SWITCH_AT + 900_001)).toBe(false);
      late.watch.onModuleDestroy();
      expect(peer.asked).toEqual([]);
    } finally {
      await peer.close();
    }
  });

  it('a peer that answers its polls but fails the question: retryable, never a guess', async () => {
    const peer = await fakePeer(failedBack, new Set(), { failSends: true });
    const { check, watch } = await setup(peer.url, SWITCH_AT - 60_000);
    try {
      await expect(check.decidedByPeer('default', 'm1', 'reply-of-m1', SWITCH_AT + 5_000)).rejects.toMatchObject({ retryable: true });
    } finally {
      watch.onModuleDestroy();
      await peer.close();
    }
  });

  it('a peer that does not answer (an outage) is not asked: the mirrored copy decides', async () => {
    const config = regionConfig('local-b', 'local-a', 'http://127.0.0.1:9');
    const { directory, stores } = newRegionDirectory(config);
    await directory.onApplicationBootstrap();
    await directory.apply({ tenantId: 'default', home: 'local-a', standby: 'local-b', active: 'local-b', epoch: 2, since: new Date(SWITCH_AT).toISOString() });
    const watch = new PeerWatch(config, directory);
    await watch.tick();
    const check = new PeerSendCheck(config, directory, watch, inboundStoredAt(SWITCH_AT - 60_000));
    expect(await check.decidedByPeer('default', 'm1', 'reply-of-m1', SWITCH_AT + 5_000)).toBe(false);
    stores.sends.set('reply-of-m1', { _id: 'reply-of-m1', region: 'local-a', at: new Date() });
    expect(await check.decidedByPeer('default', 'm1', 'reply-of-m1', SWITCH_AT + 5_000)).toBe(true);
    watch.onModuleDestroy();
  });
});
