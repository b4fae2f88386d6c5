import type { PeerSendDoc, PeerSendRepository, RegionAssignmentDoc, RegionAssignmentRepository, RegionPendingDoc, RegionPendingRepository } from '@omni/persistence';
import type { RouterConfig } from '../config';
import { RegionDirectory } from './region-directory';

/** In-memory region stores with the real ones' rules: an assignment is replaced only by a higher epoch. */
export function newMemoryRegionStores() {
  const assignments = new Map<string, RegionAssignmentDoc>();
  const pending = new Map<string, RegionPendingDoc>();
  const sends = new Map<string, PeerSendDoc>();
  const assignmentRepo: RegionAssignmentRepository = {
    get: async (id) => assignments.get(id) ?? null,
    list: async () => [...assignments.values()],
    putIfNewer: async (a) => {
      const cur = assignments.get(a._id);
      if (cur && cur.epoch >= a.epoch) return false;
      assignments.set(a._id, a);
      return true;
    },
  };
  const pendingRepo: RegionPendingRepository = {
    add: async (p) => { if (!pending.has(p._id)) pending.set(p._id, p); },
    remove: async (id) => { pending.delete(id); },
    oldest: async (tenantId, limit) => [...pending.values()].filter((p) => p.tenantId === tenantId).sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, limit),
  };
  const sendRepo: PeerSendRepository = {
    record: async (s) => { if (!sends.has(s._id)) sends.set(s._id, s); },
    has: async (id) => sends.has(id),
    get: async (id) => sends.get(id) ?? null,
  };
  return { assignments, pending, sends, assignmentRepo, pendingRepo, sendRepo };
}

/** The router config of one region of a pair (local-a ↔ local-b), its peer at `peerUrl`. */
export function regionConfig(region: string, peer: string, peerUrl: string, overrides: Partial<RouterConfig> = {}): RouterConfig {
  return {
    REGION: region, REGIONS: ['local-a', 'local-b'], REGION_PEERS: [{ name: peer, url: peerUrl }], TENANT_ID: 'default',
    TENANT_HOME_REGION: 'local-a', TENANT_STANDBY_REGION: 'local-b', REGION_PEER_POLL_MS: 1_000, REGION_PEER_TIMEOUT_MS: 500,
    REGION_FAILOVER_AFTER_MS: 5_000, REGION_BOOT_GRACE_MS: 0, REGION_BOOT_FENCE_POLLS: 2, REGION_TAKEOVER_SETTLE_MS: 0, REGION_TAKEOVER_CHECK_MS: 900_000, API_KEY: 'operator-key-for-tests',
    ...overrides,
  } as RouterConfig;
}

export function newRegionDirectory(config: RouterConfig, stores = newMemoryRegionStores()) {
  return { directory: new RegionDirectory(config, stores.assignmentRepo, stores.pendingRepo, stores.sendRepo), stores };
}
