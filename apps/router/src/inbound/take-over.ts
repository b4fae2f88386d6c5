import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CloudEvent, InboundMessage, parseEvent } from '@omni/contracts';
import { REGION_PENDING_REPOSITORY, RegionPendingRepository } from '@omni/persistence';
import type { RegionAssignment } from '@omni/routing';
import { SpanKind, counter, rootLogger, withSpan } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { PeerWatch } from '../regions/peer-watch';
import { RegionDirectory } from '../regions/region-directory';
import { ReceiveInboundUseCase } from './receive-inbound.use-case';

const BATCH = 200;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * When this region becomes a tenant's active region (a failover, a failback, or a start that finds it
 * active), the messages it recorded while another region was active and that no mirrored send
 * command answered are replayed in order through the inbound use case: nothing accepted before the
 * switch is lost (ADR 0300). When the old active region does not answer (an outage), the replay first
 * waits REGION_TAKEOVER_SETTLE_MS for the send commands MM2 may still carry; one that answers is asked
 * about each reply before it is sent (PeerSendCheck). One replay per
 * tenant at a time; the use case is idempotent, so a replay interrupted by a crash runs again at boot.
 */
@Injectable()
export class TakeOver implements OnApplicationBootstrap {
  private readonly running = new Map<string, Promise<void>>();
  private readonly log = rootLogger().child({ component: 'take-over' });
  private readonly replayed = counter('omni_region_takeover_replayed_total', 'Pending messages replayed when this region took a tenant over', ['tenant']);

  constructor(
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    @Inject(REGION_PENDING_REPOSITORY) private readonly pending: RegionPendingRepository,
    private readonly directory: RegionDirectory,
    private readonly peers: PeerWatch,
    private readonly receive: ReceiveInboundUseCase,
  ) {}

  onApplicationBootstrap(): void {
    this.directory.onActivated((a, reason) => void this.start(a, reason));
  }

  /** The replay of one tenant (waits for one already running). */
  start(a: RegionAssignment, reason: 'switch' | 'boot'): Promise<void> {
    const prior = this.running.get(a.tenantId) ?? Promise.resolve();
    const next = prior.then(() => this.replay(a, reason)).catch((err: unknown) => this.log.error({ err, tenantId: a.tenantId }, 'takeover replay failed; it runs again at the next start'));
    this.running.set(a.tenantId, next);
    return next;
  }

  private async replay(a: RegionAssignment, reason: 'switch' | 'boot'): Promise<void> {
    await withSpan('region.takeover', SpanKind.INTERNAL, { 'omni.tenant': a.tenantId, 'omni.epoch': a.epoch, 'omni.reason': reason }, async () => {
      const previous = a.home === this.directory.region ? a.standby : a.home;
      // An old active region that answers is asked about each reply (PeerSendCheck); one that does not
      // (an outage) has only its mirrored send commands to tell, which MM2 may still be carrying.
      if (reason === 'switch' && !this.peers.reachable(previous) && this.config.REGION_TAKEOVER_SETTLE_MS > 0) await sleep(this.config.REGION_TAKEOVER_SETTLE_MS);
      let total = 0;
      for (;;) {
        if (!this.directory.mayAct(a.tenantId)) break; // switched away again meanwhile
        const batch = await this.pending.oldest(a.tenantId, BATCH);
        if (batch.length === 0) break;
        for (const p of batch) {
          const event: CloudEvent<InboundMessage> = parseEvent(JSON.parse(p.event) as CloudEvent<unknown>, 'omni.message.received.v1');
          await this.receive.execute(event);
          await this.pending.remove(p._id);
          this.replayed.inc({ tenant: a.tenantId });
          total += 1;
        }
      }
      this.log.info({ tenantId: a.tenantId, epoch: a.epoch, reason, replayed: total }, 'took the tenant over: pending messages replayed');
    });
  }
}
