import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CloudEvent, InboundMessage } from '@omni/contracts';
import {
  PEER_SEND_REPOSITORY, PeerSendRepository, REGION_ASSIGNMENT_REPOSITORY, REGION_PENDING_REPOSITORY, RegionAssignmentDoc,
  RegionAssignmentRepository, RegionPendingRepository,
} from '@omni/persistence';
import { RegionAssignment, SwitchResult, initialAssignment, mayAct, switchActive } from '@omni/routing';
import { counter, gauge, rootLogger } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

export const toDoc = (a: RegionAssignment): RegionAssignmentDoc => ({ _id: a.tenantId, home: a.home, standby: a.standby, active: a.active, epoch: a.epoch, since: a.since });
export const fromDoc = (d: RegionAssignmentDoc): RegionAssignment => ({ tenantId: d._id, home: d.home, standby: d.standby, active: d.active, epoch: d.epoch, since: d.since });

/** What runs when this region becomes a tenant's active region (the takeover replay). */
export type ActivationListener = (a: RegionAssignment, reason: 'switch' | 'boot') => void;

/**
 * This region's view of the region directory (ADR 0300): the store copy (`region_assignment_epochs`: one
 * document per epoch, inserted once; the highest is current) and a cache of it, refreshed from the store at every peer poll so
 * that every replica converges. Decides whether this region may act for a tenant: only its active
 * region does, and none while the router is still fenced at boot (it has not yet heard every peer).
 * A tenant without an assignment has no pair and is served here (the single-region behaviour).
 */
@Injectable()
export class RegionDirectory implements OnApplicationBootstrap {
  private readonly cache = new Map<string, RegionAssignment>();
  private readonly listeners: ActivationListener[] = [];
  private fenced: boolean;
  private readonly standaloneWarned = new Set<string>();
  private readonly log = rootLogger().child({ component: 'region-directory' });
  private readonly switches = counter('omni_region_switches_total', 'Tenants switched to another active region, by cause', ['to', 'cause']);
  private readonly fencedGauge = gauge('omni_region_fenced', '1 while this router acts for no paired tenant (boot, before every peer was heard)', []);
  private readonly held = counter('omni_region_fenced_messages_total', 'Inbound messages recorded but not acted on: another region is active for their tenant', ['tenant']);

  constructor(
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    @Inject(REGION_ASSIGNMENT_REPOSITORY) private readonly store: RegionAssignmentRepository,
    @Inject(REGION_PENDING_REPOSITORY) private readonly pending: RegionPendingRepository,
    @Inject(PEER_SEND_REPOSITORY) private readonly peerSends: PeerSendRepository,
  ) {
    this.fenced = config.REGION_PEERS.length > 0;
    this.fencedGauge.set({}, this.fenced ? 1 : 0);
  }

  get region(): string {
    return this.config.REGION;
  }

  get regions(): string[] {
    const known = new Set([this.config.REGION, ...(this.config.REGIONS ?? []), ...this.config.REGION_PEERS.map((p) => p.name)]);
    return [...known];
  }

  /** The bootstrap tenant's pair from the env (epoch 1, identical in every region), then the store's copies. */
  async onApplicationBootstrap(): Promise<void> {
    const standby = this.config.TENANT_STANDBY_REGION;
    if (standby) {
      const home = this.config.TENANT_HOME_REGION ?? this.config.REGION;
      await this.store.putIfNewer(toDoc(initialAssignment(this.config.TENANT_ID, home, standby)));
    }
    await this.refresh();
  }

  onActivated(listener: ActivationListener): void {
    this.listeners.push(listener);
  }

  isFenced(): boolean {
    return this.fenced;
  }

  /** Every peer has been heard (or given up on): acts from now on, and takes over what is active here. */
  unfence(): void {
    if (!this.fenced) return;
    this.fenced = false;
    this.fencedGauge.set({}, 0);
    this.log.info({ region: this.region, tenants: this.list().length }, 'directory synced with the peers: acting for the tenants active here');
    for (const a of this.cache.values()) if (a.active === this.region) this.notify(a, 'boot');
  }

  list(): RegionAssignment[] {
    return [...this.cache.values()];
  }

  get(tenantId: string): RegionAssignment | undefined {
    return this.cache.get(tenantId);
  }

  /**
   * Whether this region acts for the tenant now. A router with no peer is a standalone deployment:
   * nobody else could answer or take a message over, so it acts for every tenant — an assignment
   * naming other regions there is left from a paired run on the same store (`npm run drill`, then
   * `npm run up`), and holding messages for it would leave every customer unanswered. Logged once.
   */
  mayAct(tenantId: string): boolean {
    const a = this.cache.get(tenantId);
    if (!a) return true; // no pair: served here alone
    if (this.config.REGION_PEERS.length === 0) {
      if (a.active !== this.region && !this.standaloneWarned.has(tenantId)) {
        this.standaloneWarned.add(tenantId);
        this.log.warn({ tenantId, active: a.active, region: this.region }, 'tenant assigned to another region, but this router has no peer region (REGION_PEERS): acting for it here');
      }
      return true;
    }
    return !this.fenced && mayAct(a, this.region);
  }

  /** Re-reads the store's copies (another replica's switch, a peer's copy stored by another replica). */
  async refresh(): Promise<void> {
    for (const d of await this.store.list(10_000)) this.remember(fromDoc(d));
  }

  /** A copy from a peer (or a switch made here): kept when its epoch is higher. */
  async apply(a: RegionAssignment): Promise<boolean> {
    const mine = this.cache.get(a.tenantId);
    if (mine && mine.epoch >= a.epoch) return false;
    await this.store.putIfNewer(toDoc(a));
    // The store decides (another replica may have stored a higher one meanwhile).
    const stored = await this.store.get(a.tenantId);
    if (stored) this.remember(fromDoc(stored));
    return true;
  }

  /** The operator's (or the automatic) switch of a tenant to `to`. */
  async switchTo(tenantId: string, to: string, cause: 'operator' | 'automatic'): Promise<SwitchResult | undefined> {
    const stored = await this.store.get(tenantId);
    if (!stored) return undefined;
    const result = switchActive(fromDoc(stored), to, this.regions, new Date());
    if (!result.ok) return result;
    if (!(await this.store.putIfNewer(toDoc(result.next)))) {
      // Someone switched it at the same moment: report what is stored now.
      const now = await this.store.get(tenantId);
      if (now) this.remember(fromDoc(now));
      return switchActive(now ? fromDoc(now) : result.next, to, this.regions, new Date());
    }
    this.switches.inc({ to, cause });
    this.log.warn({ tenantId, from: stored.active, to, epoch: result.next.epoch, cause }, 'tenant switched to another active region');
    this.remember(result.next);
    return result;
  }

  /**
   * An inbound message of a tenant active elsewhere: recorded here (the warm copy) and kept pending
   * until the active region's send command answering it is seen, or replayed if this region takes over.
   */
  async holdPending(event: CloudEvent<InboundMessage>): Promise<void> {
    this.held.inc({ tenant: event.data.tenantId });
    await this.pending.add({
      _id: event.id, tenantId: event.data.tenantId, conversationId: event.data.conversationId, at: new Date(event.time),
      event: JSON.stringify(event),
    });
  }

  /** A send command decided by a peer (mirrored): its answer is no longer pending here, and never sent again from here. */
  async peerSent(region: string, messageId: string, replyToMessageId: string | undefined, epoch?: number): Promise<void> {
    await this.peerSends.record({ _id: messageId, region, ...(replyToMessageId ? { replyToMessageId } : {}), ...(epoch ? { epoch } : {}), at: new Date() });
    if (replyToMessageId) await this.pending.remove(replyToMessageId);
  }

  /**
   * Whether a peer decided this send already (then this region does not send it). A tenant without a
   * pair has no peer that could have: no read (it was one store round trip per bot reply, ADR 0011).
   */
  async sentByPeer(tenantId: string, messageId: string): Promise<boolean> {
    if (!this.cache.has(tenantId)) return false;
    return this.peerSends.has(messageId);
  }

  private remember(a: RegionAssignment): void {
    const before = this.cache.get(a.tenantId);
    if (before && before.epoch >= a.epoch) return;
    this.cache.set(a.tenantId, a);
    if (before && before.active !== this.region && a.active === this.region && !this.fenced) this.notify(a, 'switch');
  }

  private notify(a: RegionAssignment, reason: 'switch' | 'boot'): void {
    for (const l of this.listeners) l(a, reason);
  }
}
