/**
 * The region directory's domain (ADR 0300): which region acts for a tenant. `home` and `standby` are
 * the tenant's pair (one jurisdiction); `active` is the one region that acts; `epoch` grows by one at
 * every switch, so that of two copies the higher epoch is the truth everywhere. Framework-free, no I/O.
 */
export interface RegionAssignment {
  tenantId: string;
  home: string;
  standby: string;
  active: string;
  epoch: number;
  /** When this epoch began (ISO time). */
  since: string;
}

export type SwitchRefusal =
  /** `to` is not a region of this deployment: 400 naming `to`. */
  | { code: 'unknown_region'; field: 'to'; message: string }
  /** `to` is not the other member of the tenant's pair, or is already active: 409. */
  | { code: 'not_standby' | 'already_active'; field: 'to'; message: string };

export type SwitchResult = { ok: true; next: RegionAssignment } | { ok: false; refusal: SwitchRefusal };

/** The first assignment of a tenant: its home acts, epoch 1 (identical in every region that computes it). */
export function initialAssignment(tenantId: string, home: string, standby: string, since = new Date(0)): RegionAssignment {
  if (home === standby) throw new Error(`a tenant's standby must differ from its home (${home})`);
  return { tenantId, home, standby, active: home, epoch: 1, since: since.toISOString() };
}

/** Moves the tenant's active region to `to` (failover to the standby, or failback home), one epoch up. */
export function switchActive(current: RegionAssignment, to: string, knownRegions: readonly string[], at: Date): SwitchResult {
  if (!knownRegions.includes(to)) {
    return { ok: false, refusal: { code: 'unknown_region', field: 'to', message: `to: unknown region ${to} (known: ${knownRegions.join(', ')})` } };
  }
  if (to === current.active) {
    return { ok: false, refusal: { code: 'already_active', field: 'to', message: `to: ${to} is already the active region of ${current.tenantId} (epoch ${current.epoch})` } };
  }
  if (to !== current.home && to !== current.standby) {
    return {
      ok: false,
      refusal: { code: 'not_standby', field: 'to', message: `to: ${to} is not ${current.tenantId}'s standby (its pair is ${current.home} and ${current.standby})` },
    };
  }
  return { ok: true, next: { ...current, active: to, epoch: current.epoch + 1, since: at.toISOString() } };
}

/** Of two copies of one tenant's assignment, the one to keep: the higher epoch (ties keep `mine`). */
export function newer(mine: RegionAssignment | undefined, theirs: RegionAssignment): RegionAssignment {
  if (mine && mine.tenantId !== theirs.tenantId) throw new Error(`different tenants: ${mine.tenantId} and ${theirs.tenantId}`);
  return !mine || theirs.epoch > mine.epoch ? theirs : mine;
}

/** Whether `region` may act for the tenant (ask the AI, send): only its active region does. */
export function mayAct(a: RegionAssignment | undefined, region: string): boolean {
  return a !== undefined && a.active === region;
}

/**
 * Whether `region` should take the tenant over automatically: only the standby, only from the home
 * (which has been unreachable since `downSince` for at least `afterMs`; 0 = never automatically).
 * The failback is the operator's: an automatic one too would let two regions that cannot reach each
 * other take a tenant from each other in turn. The clock restarts at the last switch (`since`): an
 * operator's failback to a home this region has not heard from yet (its poll still backing off)
 * must not be undone by the outage measured before it.
 */
export function shouldTakeOver(a: RegionAssignment, region: string, downSince: number | undefined, now: number, afterMs: number): boolean {
  if (afterMs <= 0 || downSince === undefined) return false;
  if (region !== a.standby || a.active !== a.home) return false;
  return now - Math.max(downSince, Date.parse(a.since)) >= afterMs;
}

export type PairChoice =
  | { ok: true; pair?: { home: string; standby: string } }
  | { ok: false; field: 'homeRegion' | 'standbyRegion'; message: string };

/**
 * The pair of a tenant created through the API (ADR 0300): the standby it names, or — when this
 * region has exactly one peer and the tenant is homed on one side of it — the other side. No pair
 * (single-region behaviour) where this router has no peer or several and none was named.
 */
export function pairFor(home: string, standby: string | undefined, self: string, peers: readonly string[]): PairChoice {
  const known = [self, ...peers];
  if (standby !== undefined) {
    if (!known.includes(standby)) return { ok: false, field: 'standbyRegion', message: `standbyRegion: unknown region ${standby} (known: ${known.join(', ')})` };
    if (!known.includes(home)) return { ok: false, field: 'homeRegion', message: `homeRegion: unknown region ${home} for a pair (known: ${known.join(', ')})` };
    if (standby === home) return { ok: false, field: 'standbyRegion', message: `standbyRegion: must differ from homeRegion (${home})` };
    return { ok: true, pair: { home, standby } };
  }
  if (peers.length !== 1 || !known.includes(home)) return { ok: true };
  return { ok: true, pair: { home, standby: home === self ? peers[0] : self } };
}
