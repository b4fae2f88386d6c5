import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PersistenceModule } from './persistence.module';
import {
  PEER_SEND_REPOSITORY, PeerSendRepository, REGION_ASSIGNMENT_REPOSITORY, REGION_PENDING_REPOSITORY, RegionAssignmentDoc,
  RegionAssignmentRepository, RegionPendingRepository,
} from './regions.repositories';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/regions-${Date.now().toString(36)}`;
  return u.toString();
})();

const copy = (epoch: number, active: string): RegionAssignmentDoc => ({ _id: 'acme', home: 'local-a', standby: 'local-b', active, epoch, since: new Date(epoch * 1000).toISOString() });

/** The region directory's store copy on the real MongoDB-protocol server: the epoch condition does the fencing. */
describe('region repositories on a real database', () => {
  let app: INestApplicationContext;
  let assignments: RegionAssignmentRepository;
  let pending: RegionPendingRepository;
  let peerSends: PeerSendRepository;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    assignments = app.get(REGION_ASSIGNMENT_REPOSITORY);
    pending = app.get(REGION_PENDING_REPOSITORY);
    peerSends = app.get(PEER_SEND_REPOSITORY);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('keeps the highest epoch of copies written at the same moment, whatever their order', async () => {
    const written = await Promise.all([copy(1, 'local-a'), copy(3, 'local-a'), copy(2, 'local-b'), copy(1, 'local-a'), copy(2, 'local-b')].map((c) => assignments.putIfNewer(c)));
    expect(written.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(await assignments.get('acme')).toMatchObject({ active: 'local-a', epoch: 3 });
    // An older or equal copy arriving later (a peer's stale answer, a mirror's redelivery) changes nothing.
    expect(await assignments.putIfNewer(copy(2, 'local-b'))).toBe(false);
    expect(await assignments.putIfNewer(copy(3, 'local-b'))).toBe(false);
    expect(await assignments.get('acme')).toMatchObject({ active: 'local-a', epoch: 3 });
    expect(await assignments.putIfNewer(copy(4, 'local-b'))).toBe(true);
    expect((await assignments.list(10)).map((a) => [a._id, a.active, a.epoch])).toEqual([['acme', 'local-b', 4]]);
  });

  it('keeps pending messages once each, oldest first, until removed', async () => {
    const p = (id: string, s: number) => ({ _id: id, tenantId: 'acme', conversationId: 'c1', at: new Date(s * 1000), event: `{"id":"${id}"}` });
    await Promise.all([pending.add(p('m2', 2)), pending.add(p('m1', 1)), pending.add(p('m1', 1)), pending.add(p('m3', 3))]);
    expect((await pending.oldest('acme', 10)).map((d) => d._id)).toEqual(['m1', 'm2', 'm3']);
    await pending.remove('m2');
    expect((await pending.oldest('acme', 10)).map((d) => d._id)).toEqual(['m1', 'm3']);
    expect(await pending.oldest('globex', 10)).toEqual([]);
  });

  it('remembers a peer’s send commands once', async () => {
    await Promise.all([peerSends.record({ _id: 'r1', region: 'local-a', at: new Date() }), peerSends.record({ _id: 'r1', region: 'local-a', at: new Date() })]);
    expect(await peerSends.has('r1')).toBe(true);
    expect(await peerSends.has('r2')).toBe(false);
  });
});
