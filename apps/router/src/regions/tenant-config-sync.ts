import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OmniError, RetryableError } from '@omni/contracts';
import { TENANT_REPLICA_REPOSITORY, TenantConfigSnapshot, TenantReplicaRepository } from '@omni/persistence';
import { ApiKeys } from '@omni/auth';
import { BreakerRegistry } from '@omni/resilience';
import { SpanKind, counter, rootLogger, withSpan } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { RegionDirectory } from './region-directory';

/**
 * The configuration follows the tenant (ADR 0300): every REGION_CONFIG_SYNC_MS, for each paired
 * tenant active in a peer region, this region pulls the tenant's configuration from that peer
 * (`GET /v1/regions/tenants/{id}/config`, operator key; a timeout, one opossum breaker per peer, an
 * OTel span) and makes its own copy equal — so that a tenant onboarded through the API in its home
 * region can be taken over here with its accounts, keys, people and settings. The active region is
 * the source; the next round is the retry. A peer that is down leaves the last copy in place.
 */
type Pulled = 'unchanged' | { snapshot: TenantConfigSnapshot; etag?: string };

@Injectable()
export class TenantConfigSync implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly breakers = new BreakerRegistry();
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly log = rootLogger().child({ component: 'tenant-config-sync' });
  private readonly changes = counter('omni_region_config_changes_total', 'Tenant configuration documents written or deleted here from the active region’s copy', ['peer']);
  /** The ETag of the copy applied last, per tenant: an unchanged configuration comes back as 304. */
  private readonly applied = new Map<string, string>();
  private readonly failures = counter('omni_region_config_sync_failures_total', 'Pulls of a tenant’s configuration from its active region that failed', ['peer']);

  constructor(
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly directory: RegionDirectory,
    @Inject(TENANT_REPLICA_REPOSITORY) private readonly replica: TenantReplicaRepository,
    private readonly keys: ApiKeys,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.REGION_PEERS.length === 0) return;
    this.timer = setInterval(() => void this.tick(), this.config.REGION_CONFIG_SYNC_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.breakers.shutdown();
  }

  /** One round over the tenants active in a peer region. Not re-entered. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const a of this.directory.list()) {
        if (a.active === this.directory.region) continue;
        const peer = this.config.REGION_PEERS.find((p) => p.name === a.active);
        if (peer) await this.syncOne(a.tenantId, peer);
      }
    } finally {
      this.running = false;
    }
  }

  private async syncOne(tenantId: string, peer: { name: string; url: string }): Promise<void> {
    try {
      const pulled = await this.pull(tenantId, peer);
      if (pulled === 'unchanged') return;
      const { upserted, deleted, changedKeys } = await this.replica.apply(pulled.snapshot);
      if (pulled.etag) this.applied.set(tenantId, pulled.etag);
      // A key revoked (or changed) in the active region stops here at once, not after the cache's 30 s.
      for (const hash of changedKeys) this.keys.forget(hash);
      if (upserted + deleted > 0) {
        this.changes.inc({ peer: peer.name }, upserted + deleted);
        this.log.info({ tenantId, peer: peer.name, upserted, deleted }, 'tenant configuration updated from its active region');
      }
    } catch (err) {
      this.failures.inc({ peer: peer.name });
      this.log.warn({ tenantId, peer: peer.name, err: (err as Error).message }, 'tenant configuration not pulled from its active region; the last copy stays');
    }
  }

  private pull(tenantId: string, peer: { name: string; url: string }): Promise<Pulled> {
    const timeout = this.config.REGION_PEER_TIMEOUT_MS * 2;
    const breaker = this.breakers.get(`region-config:${peer.name}`, (id: string) => this.get(id, peer, timeout), {
      timeout,
      volumeThreshold: 3,
      resetTimeout: Math.max(1_000, this.config.REGION_CONFIG_SYNC_MS * 2),
    });
    return withSpan('region.tenant_config.pull', SpanKind.CLIENT, { 'omni.region': this.directory.region, 'omni.peer': peer.name, 'omni.tenant_id': tenantId }, () => breaker.fire(tenantId));
  }

  private async get(tenantId: string, peer: { name: string; url: string }, timeoutMs: number): Promise<Pulled> {
    let res: Response;
    const known = this.applied.get(tenantId);
    try {
      res = await fetch(new URL(`/v1/regions/tenants/${encodeURIComponent(tenantId)}/config`, peer.url), {
        headers: {
          accept: 'application/json', ...(known ? { 'if-none-match': known } : {}),
          ...(this.config.API_KEY ? { authorization: `Bearer ${this.config.API_KEY}` } : {}),
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new RetryableError('region_unreachable', `region ${peer.name} unreachable (${cause})`);
    }
    if (res.status === 304) return 'unchanged';
    if (res.status >= 500) throw new RetryableError('region_error', `region ${peer.name} answered ${res.status}`);
    if (!res.ok) throw new OmniError('region_rejected', `region ${peer.name} answered ${res.status} for tenant ${tenantId}'s configuration`, false);
    const body = (await res.json()) as TenantConfigSnapshot;
    if (body.tenantId !== tenantId) throw new OmniError('region_rejected', `region ${peer.name} answered tenant ${body.tenantId} for ${tenantId}`, false);
    return { snapshot: body, etag: res.headers.get('etag') ?? undefined };
  }
}
