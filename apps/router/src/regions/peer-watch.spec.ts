import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initialAssignment, type RegionAssignment } from '@omni/routing';
import { PeerWatch } from './peer-watch';
import { newMemoryRegionStores, newRegionDirectory, regionConfig } from './testing';

/** A peer region's router as far as the poll sees it: its directory, or nothing at all (down). */
async function fakePeer(region: string) {
  const state = { assignments: [] as RegionAssignment[], auth: [] as string[] };
  const server: Server = createServer((req, res) => {
    state.auth.push(String(req.headers.authorization));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ region, assignments: state.assignments }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { state, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const DEAD = 'http://127.0.0.1:9'; // discard port: refused

describe('PeerWatch and the region directory', () => {
  it('acts for no paired tenant until the peer answered, then learns its higher epoch before acting', async () => {
    const peer = await fakePeer('local-b');
    try {
      const { directory } = newRegionDirectory(regionConfig('local-a', 'local-b', peer.url));
      await directory.onApplicationBootstrap();
      // local-a comes back after a failover: its own copy says it is active (epoch 1), the peer's says local-b (epoch 2).
      peer.state.assignments = [{ ...initialAssignment('default', 'local-a', 'local-b'), active: 'local-b', epoch: 2 }];
      expect(directory.mayAct('default')).toBe(false); // fenced at boot
      const watch = new PeerWatch(regionConfig('local-a', 'local-b', peer.url), directory);
      await watch.tick();
      expect(directory.isFenced()).toBe(false);
      expect(directory.get('default')).toMatchObject({ active: 'local-b', epoch: 2 });
      expect(directory.mayAct('default')).toBe(false);
      expect(directory.mayAct('a-tenant-without-a-pair')).toBe(true);
      expect(peer.state.auth).toEqual(['Bearer operator-key-for-tests']);
      watch.onModuleDestroy();
    } finally {
      await peer.close();
    }
  });

  it('the standby takes a tenant over once its active peer has been unreachable for REGION_FAILOVER_AFTER_MS, and says so to its listeners', async () => {
    const config = regionConfig('local-b', 'local-a', DEAD);
    const { directory } = newRegionDirectory(config);
    await directory.onApplicationBootstrap();
    const activated: string[] = [];
    directory.onActivated((a, reason) => activated.push(`${a.tenantId}@${a.epoch}:${reason}`));
    const watch = new PeerWatch(config, directory);
    let now = 1_000;
    await watch.tick(() => now); // down since 1 000
    await watch.tick(() => now); // second failure: unfenced (REGION_BOOT_FENCE_POLLS 2)
    expect(directory.isFenced()).toBe(false);
    expect(directory.get('default')).toMatchObject({ active: 'local-a', epoch: 1 });
    now = 5_999;
    await watch.tick(() => now);
    expect(directory.mayAct('default')).toBe(false);
    now = 6_000;
    await watch.tick(() => now);
    expect(directory.get('default')).toMatchObject({ active: 'local-b', epoch: 2 });
    expect(directory.mayAct('default')).toBe(true);
    expect(activated).toEqual(['default@2:switch']);
    watch.onModuleDestroy();
  });

  it('never takes over automatically when REGION_FAILOVER_AFTER_MS is 0', async () => {
    const config = regionConfig('local-b', 'local-a', DEAD, { REGION_FAILOVER_AFTER_MS: 0 });
    const { directory } = newRegionDirectory(config);
    await directory.onApplicationBootstrap();
    const watch = new PeerWatch(config, directory);
    for (const now of [0, 1_000, 100_000, 10_000_000]) await watch.tick(() => now);
    expect(directory.get('default')).toMatchObject({ active: 'local-a', epoch: 1 });
    watch.onModuleDestroy();
  });

  it('holds a message for a tenant active elsewhere until the peer’s send answering it is seen', async () => {
    const { directory, stores } = newRegionDirectory(regionConfig('local-b', 'local-a', DEAD));
    await directory.onApplicationBootstrap();
    const event = { id: 'm1', time: '2026-12-07T08:00:00.000Z', data: { tenantId: 'default', conversationId: 'c1' } };
    await directory.holdPending(event as never);
    expect([...stores.pending.keys()]).toEqual(['m1']);
    await directory.peerSent('local-a', 'reply-1', 'm1');
    expect(stores.pending.size).toBe(0);
    expect(await directory.sentByPeer('default', 'reply-1')).toBe(true);
    expect(await directory.sentByPeer('default', 'reply-2')).toBe(false);
    // A tenant without a pair: no peer could have sent it, and the store is not asked.
    const asked = jest.spyOn(stores.sendRepo, 'has');
    expect(await directory.sentByPeer('unpaired', 'reply-1')).toBe(false);
    expect(asked).not.toHaveBeenCalled();
  });

  it('a router with no peer region acts for a tenant whose stored assignment names other regions (left by a paired run on the same store)', async () => {
    const stores = newMemoryRegionStores();
    await stores.assignmentRepo.putIfNewer({ _id: 'default', home: 'local-a', standby: 'local-b', active: 'local-b', epoch: 3, since: new Date(0).toISOString() });
    const { directory } = newRegionDirectory(regionConfig('local', 'local-b', DEAD, { REGION_PEERS: [], TENANT_STANDBY_REGION: undefined }), stores);
    await directory.onApplicationBootstrap();
    expect(directory.get('default')).toMatchObject({ active: 'local-b' });
    expect(directory.isFenced()).toBe(false);
    expect(directory.mayAct('default')).toBe(true);
    // With a peer, the same assignment fences this region off the tenant.
    const paired = newRegionDirectory(regionConfig('local-a', 'local-b', DEAD), stores).directory;
    await paired.onApplicationBootstrap();
    paired.unfence();
    expect(paired.mayAct('default')).toBe(false);
  });

  it('does not take a tenant over at boot from a peer it has not heard yet before REGION_BOOT_GRACE_MS, but does from one that answered and then fell silent', async () => {
    let peerUp = false;
    const peer: Server = createServer((_req, res) => {
      if (!peerUp) { res.destroy(); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ region: 'local-a', assignments: [] }));
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
    try {
      const config = regionConfig('local-b', 'local-a', url, { REGION_BOOT_GRACE_MS: 60_000 });
      const { directory } = newRegionDirectory(config);
      await directory.onApplicationBootstrap();
      const watch = new PeerWatch(config, directory);
      // Booting together: local-a does not answer yet. Within the grace + REGION_FAILOVER_AFTER_MS, no
      // takeover. (Two failed polls only: a third would open the peer's breaker, which resets on the
      // wall clock, not on this test's.)
      for (const now of [0, 64_999]) await watch.tick(() => now);
      expect(directory.get('default')).toMatchObject({ active: 'local-a', epoch: 1 });
      // local-a comes up and answers; later it falls silent: down from that moment, taken over 5 s later.
      peerUp = true;
      await watch.tick(() => 70_000);
      peerUp = false;
      await watch.tick(() => 80_000);
      await watch.tick(() => 84_999);
      expect(directory.get('default')).toMatchObject({ active: 'local-a', epoch: 1 });
      await watch.tick(() => 85_000);
      expect(directory.get('default')).toMatchObject({ active: 'local-b', epoch: 2 });
      watch.onModuleDestroy();
    } finally {
      await new Promise<void>((r) => peer.close(() => r()));
    }
  });

  it('takes over from a peer never heard once the boot grace and REGION_FAILOVER_AFTER_MS have passed', async () => {
    const config = regionConfig('local-b', 'local-a', DEAD, { REGION_BOOT_GRACE_MS: 60_000 });
    const { directory } = newRegionDirectory(config);
    await directory.onApplicationBootstrap();
    const watch = new PeerWatch(config, directory);
    for (const now of [0, 1_000, 64_999]) await watch.tick(() => now);
    expect(directory.get('default')).toMatchObject({ active: 'local-a' });
    await watch.tick(() => 65_000);
    expect(directory.get('default')).toMatchObject({ active: 'local-b', epoch: 2 });
    watch.onModuleDestroy();
  });
});

