/** A count of provider requests per window: what one replica may send for one account. */
export interface Portion {
  count: number;
  windowMs: number;
}

/**
 * How long a replica waits before it uses a larger portion than it had (ADR 0601): one provider
 * window, so that every request sent under the old portions has left it, plus the spread between
 * the replicas' learning of a new assignment (they get it from the same SyncGroup round) and a
 * request's trip to the provider.
 */
export const SHARE_HOLD_EXTRA_MS = 2_000;

interface Assignment {
  partitions: readonly number[];
  total: number;
}

const now = () => performance.now();

/**
 * This replica's part of every account's provider limit (ADR 0601): an account's sends are spread
 * over the outbound topic's partitions by conversation, so the limit is divided among partitions
 * — partition p of P gets ⌊C/P⌋ requests per window, plus one for p < C mod P, which sums to C —
 * and a replica may send what its assigned partitions hold. The replicas of one consumer group
 * therefore never exceed the account's limit together, whatever their number, without talking to
 * each other or to the store; a replica that dies frees its partitions, and the survivors' larger
 * parts apply after Kafka reassigns them.
 *
 * A smaller part applies at once; a larger one only after `holdMs` (one window and a margin), so
 * that no provider window holds both the old parts of replicas that have not shrunk yet and the new
 * part of one that grew. Before its first assignment a replica's part is zero (it has nothing to
 * send). Where the limit is below the partition count (C < P) the window is stretched m = ⌈P/C⌉
 * times and C·m requests per m windows are divided instead: the long-run rate holds, a single
 * window is no longer strict (ADR 0601).
 */
export class SendShare {
  private current: Assignment | 'whole' | 'none';
  /** Assignments replaced, with when: a larger part waits until they are a hold in the past. */
  private previous: { assignment: Assignment | 'none'; until: number }[] = [];
  private readonly listeners: (() => void)[] = [];

  /** The whole limit, never divided: one process that sends alone (tools, specs of a transport). */
  static whole(): SendShare {
    return new SendShare('whole', 0);
  }

  /** A replica of a consumer group: nothing until Kafka assigns it partitions. */
  static ofGroup(extraMs = SHARE_HOLD_EXTRA_MS, clock: () => number = now): SendShare {
    return new SendShare('none', extraMs, clock);
  }

  private constructor(
    initial: 'whole' | 'none',
    private readonly extraMs: number,
    private readonly clock: () => number = now,
  ) {
    this.current = initial;
  }

  /** The partitions of the outbound topic this replica was assigned, of `total`. */
  update(partitions: readonly number[], total: number): void {
    if (this.current === 'whole') return;
    const at = this.clock();
    // Older than any hold (a stretched window is at most the partition count × the provider's).
    this.previous = this.previous.filter((p) => p.until > at - 600_000).slice(-16);
    this.previous.push({ assignment: this.current, until: at });
    this.current = { partitions: [...partitions], total: Math.max(total, 1) };
    for (const fn of this.listeners) fn();
  }

  /** This replica's portion of an account limit of `count` requests per `windowMs`. */
  split(count: number, windowMs: number, at = this.clock()): Portion {
    if (this.current === 'whole') return { count, windowMs };
    const hold = this.holdMs(count, windowMs);
    const effective = [this.current, ...this.previous.filter((p) => p.until > at - hold).map((p) => p.assignment)];
    let least: Portion | undefined;
    for (const a of effective) {
      const p = portionOf(a, count, windowMs);
      // The smallest rate of the assignments in effect (a larger one waits out the hold).
      if (!least || p.count * least.windowMs < least.count * p.windowMs) least = p;
    }
    return least ?? { count: 0, windowMs };
  }

  /** When `split` stops changing by itself (the last hold ends); -Infinity when it is settled. */
  settlesAt(count: number, windowMs: number): number {
    const last = this.previous.at(-1);
    return last ? last.until + this.holdMs(count, windowMs) : -Infinity;
  }

  /** Calls `fn` whenever Kafka assigned this replica partitions. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** One window of the provider (stretched where the limit is below the partition count) and the margin. */
  private holdMs(count: number, windowMs: number): number {
    const stretch = Math.max(1, ...[this.current, ...this.previous.map((p) => p.assignment)].map((a) => (typeof a === 'object' ? Math.ceil(a.total / count) : 1)));
    return windowMs * stretch + this.extraMs;
  }
}

function portionOf(a: Assignment | 'none', count: number, windowMs: number): Portion {
  if (a === 'none') return { count: 0, windowMs };
  const stretch = Math.ceil(a.total / count);
  const units = count * stretch;
  const base = Math.floor(units / a.total);
  const extra = units % a.total;
  const mine = a.partitions.filter((p) => p >= 0 && p < a.total).reduce((sum, p) => sum + base + (p < extra ? 1 : 0), 0);
  return { count: mine, windowMs: windowMs * stretch };
}
