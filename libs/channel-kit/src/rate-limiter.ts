import type { Portion, SendShare } from './send-share';

export interface RateLimitPlan {
  /** Sends per second for one account (a phone number, a page, a bot, a mailbox). */
  perAccountPerSecond: number;
  /** Sends per second to one recipient (Telegram: about 1 per chat). */
  perRecipientPerSecond?: number;
}

/** Says that a paced request is over (answered, failed or timed out): from then on it is counted by its end. */
export type Done = () => void;

/**
 * Slack for the provider's clock granularity (it stamps arrivals in whole milliseconds) on top of
 * its window: the window rule below is otherwise exact.
 */
export const WINDOW_GUARD_MS = 2;

/** How far behind its even timeline a pacer may fall and still catch up (sends at once after a stall). */
export const CATCH_UP_MS = 30;

/** A request never reported done counts as ended this long after its start (a bug must not stop an account). */
const STUCK_MS = 60_000;

const now = () => performance.now();

interface Slot {
  start: number;
  end?: number;
}

/**
 * Requests of one account (or one recipient) paced the way providers count them: in a sliding
 * window of arrivals. We cannot see an arrival, but it lies between the request's start and its
 * answer, so a request may start only when the `limit`-th most recent one *ended* at least one
 * window ago: then no window of the provider can hold more than `limit` arrivals, whatever the
 * network, connection set-up or event-loop stalls did to the trips. (Counting starts instead,
 * with a fixed guard, let 429s through: the first requests of a fresh connection pool arrived
 * 130 ms after their start, together with later ones.) The price is the round trip per window:
 * the rate is limit / (window + round trip), 0.97–0.99× of the limit against a local server.
 *
 * Within that, requests are spread evenly (`windowMs / limit` apart) on an absolute timeline that
 * may fall behind by CATCH_UP_MS and catch up, so that late timers do not drift the rate down (on
 * a loaded machine timers fire every 5–15 ms while Messenger's spacing is 4 ms) and no burst
 * reaches the provider at once.
 */
export class SlidingWindowPacer {
  private readonly slots: Slot[] = [];
  private readonly waiting: ((done: Done) => void)[] = [];
  private spacing = 0;
  /** Slots kept: the largest limit this pacer had (a smaller one still counts the requests of a larger one). */
  private capacity = 0;
  private next = -Infinity;
  private timer?: NodeJS.Timeout;

  constructor(
    private limit: number,
    private windowMs: number,
    /** Sees every counted start (metrics, specs). */
    private readonly onStart?: (at: number) => void,
  ) {
    this.resize(limit, windowMs);
  }

  /**
   * Changes the limit (0: nothing starts) or the window from now on; requests already counted stay
   * counted, so a smaller limit holds at once over every window that includes a new start.
   */
  resize(limit: number, windowMs: number): void {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number, got ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
    this.limit = limit;
    this.windowMs = windowMs;
    this.spacing = limit > 0 ? windowMs / limit : windowMs;
    this.capacity = Math.max(this.capacity, limit);
    if (this.waiting.length) this.rearm();
  }

  /** The limit and window in force. */
  get portion(): { count: number; windowMs: number } {
    return { count: this.limit, windowMs: this.windowMs };
  }

  /** Resolves when a request may start now, with the function to call once it is over. */
  acquire(): Promise<Done> {
    return new Promise<Done>((resolve) => {
      this.waiting.push(resolve);
      this.pump();
    });
  }

  /** The earliest time a request may start (performance.now() clock); Infinity while the window waits for an answer. */
  readyAt(at = now()): number {
    if (this.limit === 0) return Infinity;
    if (this.slots.length < this.limit) return this.next;
    const oldest = this.slots[this.slots.length - this.limit];
    const end = oldest.end ?? (at - oldest.start >= STUCK_MS ? oldest.start + STUCK_MS : Infinity);
    return Math.max(this.next, end + this.windowMs + WINDOW_GUARD_MS);
  }

  /** Counts a request starting now (for callers that check `readyAt` themselves); returns its Done. */
  record(at = now()): Done {
    const slot: Slot = { start: at };
    this.slots.push(slot);
    if (this.slots.length > this.capacity) this.slots.shift();
    this.next = Math.max(this.next, at - Math.max(CATCH_UP_MS, this.spacing)) + this.spacing;
    this.onStart?.(at);
    return () => {
      if (slot.end !== undefined) return;
      slot.end = now();
      this.rearm();
    };
  }

  /** Time since the last start; Infinity when none. */
  idleFor(at = now()): number {
    return this.slots.length ? at - this.slots[this.slots.length - 1].start : Infinity;
  }

  /** Requests started and not reported done. */
  get inFlight(): number {
    return this.slots.filter((s) => s.end === undefined).length;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private pump(): void {
    if (this.timer) return;
    while (this.waiting.length) {
      const t = now();
      const at = this.readyAt(t);
      if (at > t) {
        // Waiting on an answer: its Done pumps again (the timer covers a request that never reports).
        const wait = Number.isFinite(at) ? at - t : STUCK_MS;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, Math.ceil(wait));
        return;
      }
      const done = this.record(t);
      this.waiting.shift()?.(done);
    }
  }

  /** Wakes a pump that sleeps on a timer because an answer came (a Done was called). */
  private rearm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pump();
  }
}

/** Per-recipient turn: one request of a recipient waits for the account at a time. */
interface RecipientLane {
  pacer: SlidingWindowPacer;
  tail: Promise<void>;
  busy: number;
}

/**
 * Spaces provider requests to the provider's published limits instead of running into 429s: one
 * pacer per account and, where the provider limits per recipient, one per recipient in front of
 * it. A recipient's request is counted when the account lets it go (not when it joins the
 * account's queue), so a long account queue cannot squeeze two requests to one chat into a window.
 * Call `acquire` right before each provider request (a long text split in parts is several) and the
 * returned Done when its answer (or failure) is in.
 */
export class AccountRateLimiter {
  private readonly accounts = new Map<string, SlidingWindowPacer>();
  private readonly recipients = new Map<string, RecipientLane>();
  private readonly base: Portion;
  private acquired = 0;
  private stopped = false;
  private settle?: NodeJS.Timeout;

  /**
   * `share` is this replica's part of each account's limit (ADR 0601): the replicas of a channel app
   * divide it; `SendShare.whole()` for a process that sends alone. Per-recipient limits are not
   * divided: a recipient is one conversation, whose sends all come from one partition.
   */
  constructor(
    private readonly plan: RateLimitPlan,
    private readonly share: SendShare,
  ) {
    if (!(plan.perAccountPerSecond > 0)) throw new RangeError('perAccountPerSecond must be positive');
    this.base = portionFor(plan.perAccountPerSecond);
    share.onChange(() => this.resplit());
  }

  /** Applies this replica's portion to every account, and again when a hold on a larger one ends. */
  private resplit(): void {
    const portion = this.portion();
    for (const pacer of this.accounts.values()) pacer.resize(portion.count, portion.windowMs);
    clearTimeout(this.settle);
    const wait = this.share.settlesAt(this.base.count, this.base.windowMs) - now();
    if (wait >= 0) {
      this.settle = setTimeout(() => this.resplit(), Math.ceil(wait) + 1);
      this.settle.unref?.();
    }
  }

  /** What one account may send from this replica now (metrics, specs). */
  portion(): Portion {
    return this.share.split(this.base.count, this.base.windowMs);
  }

  /** Resolves when one request of this account to this recipient may go out now. */
  async acquire(accountId: string, recipientId: string): Promise<Done> {
    if (this.stopped) throw new Error('rate limiter stopped');
    const account = this.account(accountId);
    if (!this.plan.perRecipientPerSecond) return account.acquire();
    if (++this.acquired % 1_000 === 0) this.sweep();
    const key = `${accountId}\u0000${recipientId}`;
    let lane = this.recipients.get(key);
    if (!lane) {
      lane = { pacer: pacerFor(this.plan.perRecipientPerSecond), tail: Promise.resolve(), busy: 0 };
      this.recipients.set(key, lane);
    }
    const current = lane;
    current.busy++;
    let release: Done = () => undefined;
    const turn = current.tail.then(async () => {
      for (;;) {
        const wait = current.pacer.readyAt() - now();
        if (wait <= 0) break;
        // The recipient's previous request may still be running (Infinity): poll until it is over.
        await new Promise((r) => setTimeout(r, Math.ceil(Number.isFinite(wait) ? wait : 10)));
      }
      const accountDone = await account.acquire();
      const recipientDone = current.pacer.record();
      release = () => {
        accountDone();
        recipientDone();
      };
    });
    current.tail = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      current.busy--;
    }
    return release;
  }

  /** Runs `fn` once a slot is free and reports it done when it settles: for a send that is one provider request. */
  async schedule<T>(accountId: string, recipientId: string, fn: () => Promise<T>): Promise<T> {
    const done = await this.acquire(accountId, recipientId);
    try {
      return await fn();
    } finally {
      done();
    }
  }

  private account(accountId: string): SlidingWindowPacer {
    let p = this.accounts.get(accountId);
    if (!p) {
      const portion = this.portion();
      p = new SlidingWindowPacer(portion.count, portion.windowMs);
      this.accounts.set(accountId, p);
    }
    return p;
  }

  /** Forgets recipients idle for longer than their window (their count no longer matters). */
  private sweep(): void {
    const t = now();
    for (const [key, lane] of this.recipients) {
      if (!lane.busy && lane.pacer.inFlight === 0 && lane.pacer.idleFor(t) > 2_000) this.recipients.delete(key);
    }
  }

  /** Refuses new sends; those already waiting still go out at the pace (consumers drained first). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.settle);
  }
}

/**
 * A provider rate in sends per second as a sliding-window pacer: the whole-number count per
 * second (Meta and Telegram publish whole numbers) over 1 s; a fractional or sub-1/s rate becomes
 * one send per the matching longer window.
 */
function portionFor(perSecond: number): Portion {
  if (perSecond >= 1 && Number.isInteger(perSecond)) return { count: perSecond, windowMs: 1_000 };
  return { count: 1, windowMs: 1_000 / perSecond };
}

function pacerFor(perSecond: number): SlidingWindowPacer {
  const { count, windowMs } = portionFor(perSecond);
  return new SlidingWindowPacer(count, windowMs);
}
