import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OmniError, RetryableError } from '@omni/contracts';
import { BreakerRegistry, withRetry } from '@omni/resilience';
import { RegionAssignment, shouldTakeOver } from '@omni/routing';
import { SpanKind, gauge, rootLogger, withSpan } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { RegionDirectory } from './region-directory';

export interface PeerDirectory {
  region: string;
  assignments: RegionAssignment[];
}

/** A peer's answer to `GET /v1/regions/sends/{sendId}`. */
export interface PeerSendAnswer {
  sendId: string;
  decided: boolean;
  /** The tenant's directory epoch when the answering region decided it (sends stored before ADR 0300's fence: absent). */
  epoch?: number;
  /** The provider's status webhook for this send reached the answering region (its channel app recorded it). */
  confirmed?: { providerMessageId?: string };
}

interface PeerState {
  name: string;
  url: string;
  /** Since when the peer has not answered (undefined while it answers). */
  downSince?: number;
  answered: boolean;
  failures: number;
}

/**
 * Pulls each peer region's directory (`GET /v1/regions/directory`, operator key) every
 * REGION_PEER_POLL_MS: one call is both the peer's health check and the directory's sync (ADR 0300).
 * Each call has a timeout, one opossum breaker per peer and an OTel span (`region.peer.poll`). A
 * peer's copies with a higher epoch replace this region's; a tenant whose active peer has been
 * unreachable for REGION_FAILOVER_AFTER_MS is switched to this region when it is the standby.
 * The router is fenced until every peer has answered once or failed REGION_BOOT_FENCE_POLLS polls.
 */
@Injectable()
export class PeerWatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly peers: PeerState[];
  private readonly breakers = new BreakerRegistry();
  private timer?: NodeJS.Timeout;
  private running = false;
  /** The first round's time: a peer not heard since is counted down only from here + REGION_BOOT_GRACE_MS. */
  private bootAt?: number;
  private readonly log = rootLogger().child({ component: 'peer-watch' });
  private readonly up = gauge('omni_region_peer_up', '1 when the peer region answered its last poll', ['peer']);

  constructor(
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly directory: RegionDirectory,
  ) {
    this.peers = config.REGION_PEERS.map((p) => ({ ...p, answered: false, failures: 0 }));
  }

  onApplicationBootstrap(): void {
    if (this.peers.length === 0) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.REGION_PEER_POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.breakers.shutdown();
  }

  /** Whether the peer answered its last poll (false for an unknown peer). */
  reachable(name: string): boolean {
    const p = this.peers.find((x) => x.name === name);
    return p !== undefined && p.downSince === undefined && p.answered;
  }

  /**
   * Whether peer region `name` decided the send `sendId` of `tenantId` (its router stored that outbound
   * message): `GET /v1/regions/sends/{sendId}?tenantId=` with the operator key, a timeout, an opossum
   * breaker per peer (`region-sends:<peer>`), one retry and an OTel span (`region.peer.sends`).
   * Undefined when the peer does not answer its polls (an outage: the mirrored copy is all there is);
   * a peer that answers its polls but fails this call throws a RetryableError (the caller retries later).
   */
  async decidedByPeer(name: string, tenantId: string, sendId: string): Promise<boolean | undefined> {
    const p = this.peers.find((x) => x.name === name);
    if (!p || !this.reachable(name)) return undefined;
    const timeout = this.config.REGION_PEER_TIMEOUT_MS;
    const breaker = this.breakers.get(`region-sends:${p.name}`, (tenant: string, id: string) => this.getDecided(p, tenant, id, timeout), {
      timeout, volumeThreshold: 3, resetTimeout: Math.max(1_000, this.config.REGION_PEER_POLL_MS * 2),
    });
    try {
      return await withSpan('region.peer.sends', SpanKind.CLIENT, { 'omni.region': this.directory.region, 'omni.peer': p.name, 'omni.tenant': tenantId }, () =>
        withRetry(() => breaker.fire(tenantId, sendId), { attempts: 2, baseDelayMs: 100, maxDelayMs: 500 }));
    } catch (err) {
      if (!this.reachable(name)) return undefined; // went down meanwhile
      throw err instanceof RetryableError ? err : new RetryableError('region_unreachable', `region ${p.name}: ${(err as Error).message}`);
    }
  }

  /** One round: every peer polled, copies applied, automatic switches decided. Not re-entered. */
  async tick(now = Date.now): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.bootAt ??= now();
    try {
      await Promise.all(this.peers.map((p) => this.pollOne(p, now)));
      await this.directory.refresh();
      if (this.peers.every((p) => p.answered || p.failures >= this.config.REGION_BOOT_FENCE_POLLS)) this.directory.unfence();
      await this.failOver(now());
    } catch (err) {
      this.log.error({ err }, 'peer round failed');
    } finally {
      this.running = false;
    }
  }

  private async pollOne(p: PeerState, now: () => number): Promise<void> {
    try {
      const dir = await this.fetchDirectory(p);
      for (const a of dir.assignments) await this.directory.apply(a);
      if (p.downSince !== undefined) {
        // Heard for the first time since this router started (its outage had not started counting).
        if (!p.answered) this.log.info({ peer: p.name }, 'peer region answers');
        else this.log.info({ peer: p.name, downMs: now() - p.downSince }, 'peer region answers again');
      }
      p.downSince = undefined;
      p.answered = true;
      this.up.set({ peer: p.name }, 1);
    } catch (err) {
      p.failures += 1;
      if (p.downSince === undefined) {
        // A peer this router has not heard since it started may simply be starting too (both regions
        // of `npm run up -- --regions 2` come up together): its outage counts from the end of the boot
        // grace, so the standby does not take its tenants over at boot. One that answered before is
        // down from now.
        p.downSince = p.answered ? now() : Math.max(now(), (this.bootAt ?? now()) + this.config.REGION_BOOT_GRACE_MS);
        this.log.warn({ peer: p.name, err: (err as Error).message }, 'peer region unreachable');
      }
      this.up.set({ peer: p.name }, 0);
    }
  }

  private async failOver(now: number): Promise<void> {
    const after = this.config.REGION_FAILOVER_AFTER_MS;
    if (after <= 0 || this.directory.isFenced()) return;
    for (const a of this.directory.list()) {
      const peer = this.peers.find((p) => p.name === a.active);
      if (!peer || !shouldTakeOver(a, this.directory.region, peer.downSince, now, after)) continue;
      this.log.warn({ tenantId: a.tenantId, peer: peer.name, downMs: now - (peer.downSince ?? now) }, 'active region unreachable past REGION_FAILOVER_AFTER_MS: taking the tenant over');
      await this.directory.switchTo(a.tenantId, this.directory.region, 'automatic');
    }
  }

  private fetchDirectory(p: PeerState): Promise<PeerDirectory> {
    const timeout = this.config.REGION_PEER_TIMEOUT_MS;
    const breaker = this.breakers.get(`region:${p.name}`, () => this.get(p, timeout), {
      timeout,
      volumeThreshold: 3,
      // Half-open soon: a peer that returns is seen within a few polls.
      resetTimeout: Math.max(1_000, this.config.REGION_PEER_POLL_MS * 2),
    });
    return withSpan('region.peer.poll', SpanKind.CLIENT, { 'omni.region': this.directory.region, 'omni.peer': p.name }, () => breaker.fire());
  }

  private async getDecided(p: PeerState, tenantId: string, sendId: string, timeoutMs: number): Promise<boolean> {
    const url = new URL(`/v1/regions/sends/${encodeURIComponent(sendId)}`, p.url);
    url.searchParams.set('tenantId', tenantId);
    return ((await this.getJson(p, url, timeoutMs)) as PeerSendAnswer).decided === true;
  }

  private async get(p: PeerState, timeoutMs: number): Promise<PeerDirectory> {
    return (await this.getJson(p, new URL('/v1/regions/directory', p.url), timeoutMs)) as PeerDirectory;
  }

  private async getJson(p: PeerState, url: URL, timeoutMs: number): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json', ...(this.config.API_KEY ? { authorization: `Bearer ${this.config.API_KEY}` } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new RetryableError('region_unreachable', `region ${p.name} unreachable (${cause})`);
    }
    if (res.status >= 500) throw new RetryableError('region_error', `region ${p.name} answered ${res.status}`);
    if (!res.ok) throw new OmniError('region_rejected', `region ${p.name} answered ${res.status} (is API_KEY the same in both regions?)`, false);
    return res.json();
  }
}
