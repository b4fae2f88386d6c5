/**
 * The fresh lane's bookkeeping (ADR 0012): which lane owns which record of a partition while the
 * ordered consumer drains a backlog. Framework-free and synchronous, so every decision is atomic
 * within the process and can be tested without Kafka.
 *
 * Two lanes read the same partition in one process:
 *  - the **ordered lane** (the subscription's consumer group) fetches batches from its committed
 *    offset and handles each key (= conversation) strictly in offset order;
 *  - the **lookout** reads the partition's end as records arrive and *offers* each record here.
 *
 * An offered record is **taken** by the fresh lane (handled at once, out of the partition's turn)
 * only when taking it cannot break the order of its key:
 *  1. the lookout has seen every record the ordered lane has not fetched yet (*coverage*: the
 *     lookout's first record since the book was reset is at most one past the ordered lane's last
 *     fetched offset), so the book knows every key with a record still to do;
 *  2. no record of the same key is still to do by the ordered lane (its earlier records are either
 *     done or taken by the fresh lane, which then runs them first, in order);
 *  3. the ordered lane is behind it by at least `minBacklog` offsets (otherwise it is near and the
 *     ordered lane will reach it soon: nothing to gain);
 *  4. fewer than `capacity` records are held by the fresh lane (the backlog keeps its share).
 * A record not taken belongs to the ordered lane, and so does every later record of its key.
 *
 * The ordered lane still visits every record in offset order: a taken one it does not handle, it
 * waits for the fresh lane's outcome (so the committed offset never passes a record before its
 * effect), and handles it itself only if the fresh lane gave it back (a failure it could not park,
 * or the partition moved away). Records of a key taken after one that was given back are given
 * back too, so a key never runs on both lanes at once.
 */

import type { CloudEvent } from '@omni/contracts';

/**
 * How far behind the ordered lane must be for the fresh lane to act: about three batches of 32
 * conversations at once. Closer than that the ordered lane reaches the record within its next batch.
 */
export const FRESH_LANE_MIN_BACKLOG = 100;

/**
 * While a fresh lane of the process runs a record, each partition's ordered lane starts at most this
 * many records at once (those already running finish): a newcomer's handler otherwise waits behind the
 * backlog's handlers at every store command — under a backlog every handler took 1–2 s, the fresh
 * lane's as long as the ordered lane's (ADR 0012, "Yield while fresh"). Measured: the backlog drains
 * as fast (the store was the limit, not the number of handlers), newcomers are answered sooner.
 */
export const ORDERED_WHILE_FRESH = 2;

/**
 * The fresh lanes' records running in this process, across subscriptions (the inbound step's and
 * the reply step's share the store), and who to tell when one ends.
 */
export class FreshActivity {
  private count = 0;
  private readonly listeners = new Set<() => void>();

  get running(): number {
    return this.count;
  }

  started(): void {
    this.count++;
  }

  ended(): void {
    this.count--;
    for (const l of [...this.listeners]) l();
  }

  /** `listener` is called whenever a fresh record ends; returns its removal. */
  onEnd(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The process's fresh-lane activity (one per process: every subscription's lanes count in it). */
export const freshActivity = new FreshActivity();

/**
 * The subscription option from an app's settings: `capacity` records at once, 0 = no fresh lane;
 * none either for a consumer that handles one record at a time (the lane works with keyed batches).
 * A stage that admits only records marked by an earlier fresh lane takes them as soon as the ordered
 * lane has not fetched them (minBacklog 1): they were already chosen, and waiting for the ordered
 * lane's batch in progress (up to a few hundred records) is the delay the lane is there to avoid.
 */
export function freshLane(
  capacity: number, keyConcurrency: number, admit?: FreshLaneOptions['admit'], rank?: FreshLaneOptions['rank'],
): FreshLaneOptions | undefined {
  if (capacity <= 0 || keyConcurrency <= 1) return undefined;
  return admit ? { capacity, minBacklog: 1, admit, ...(rank ? { rank } : {}) } : { capacity, minBacklog: FRESH_LANE_MIN_BACKLOG };
}

export interface FreshLaneOptions {
  /** The ordered lane must be at least this many offsets behind a record for the fresh lane to take it. */
  minBacklog: number;
  /** Records held by the fresh lane at once (running, or waiting for an earlier record of their key). */
  capacity: number;
  /**
   * Which records may take the fresh lane at all (default: any). A stage after the first marks what
   * the first stage's fresh lane handled — the newcomers — and admits only those: otherwise its own
   * "conversations with nothing waiting" are mostly the backlog's, arriving one by one (ADR 0012).
   */
  admit?: (event: CloudEvent<unknown>) => boolean;
  /**
   * A taken record's claim to the next running place: the highest rank gets it (ties, and records
   * without one: the newest taken first). A stage after the first ranks by when the message first
   * arrived, which its own arrival order does not tell: an earlier stage's marked records reach it
   * after a newcomer that overtook them there (ADR 0012, measured: a newcomer 10 s behind them).
   */
  rank?: (event: CloudEvent<unknown>) => number | undefined;
}

/**
 * A record the fresh lane took: after `previous` (its key's earlier fresh record) wait for `start`
 * (one of the lane's `capacity` running places), run it, then settle it.
 */
export interface FreshTicket {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** True when the key's earlier fresh record was handled (or there was none); false: give this one back unrun. */
  readonly previous: Promise<boolean>;
  /**
   * True once the record may run. Places go to the **newest** waiting record first (a newcomer does not
   * queue behind records that arrived with the backlog); false when the ordered lane reached it first
   * and took it back: settle it as not handled, unrun.
   */
  start(): Promise<boolean>;
  /** handled = true: its effect is done (or it is parked on the retry/DLQ topic); false: the ordered lane must handle it. */
  settle(handled: boolean): void;
}

interface Taken {
  key: string;
  outcome: Promise<boolean>;
  /** waiting: for a running place (or its key's earlier record); revoked: the ordered lane took it back before it ran. */
  state: 'waiting' | 'running' | 'handled' | 'revoked';
  /** Ends the wait for a place with false (set while it waits in the stack). */
  cancel?: () => void;
}

class PartitionBook {
  /** The ordered lane no longer holds the partition: kept only until its taken records settle. */
  detached = false;
  /** The ordered lane's last fetched offset in this generation; -1 before its first batch. */
  fetchedEnd = -1;
  /** The ordered lane's first offset not done yet (its commit frontier). */
  frontier = 0;
  /** The lookout's first offset since the reset, and the last one (a gap restarts coverage). */
  firstSeen: number | undefined;
  lastSeen: number | undefined;
  /** Key → the highest offset of that key the ordered lane still has to do. */
  readonly ordered = new Map<string, number>();
  /**
   * Taken offset → its key and outcome, until the ordered lane passes it (it waits on it, then
   * counts it done); kept across a reset, since a partition kept is refetched from its commit.
   */
  readonly taken = new Map<number, Taken>();
  /** Key → its last taken record (the next one of the key chains behind it, once that one runs). */
  readonly freshTail = new Map<string, Taken>();

  get covered(): boolean {
    return this.firstSeen !== undefined && this.fetchedEnd >= 0 && this.firstSeen <= this.fetchedEnd + 1;
  }

  stillOrdered(key: string, offset: number): void {
    this.ordered.set(key, Math.max(offset, this.ordered.get(key) ?? -1));
  }
}

/** The books of one subscription's partitions (topic and partition), for the partitions its ordered lane is assigned. */
export class LaneBook {
  private readonly books = new Map<string, PartitionBook>();
  private held = 0;
  private running = 0;
  /** Records waiting for a running place: the highest rank, then the newest, gets the next place. */
  private readonly waiting: { grant: () => void; rank: number; seq: number }[] = [];
  private seq = 0;

  constructor(private readonly options: FreshLaneOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) throw new RangeError(`fresh lane capacity must be a positive integer, got ${options.capacity}`);
    if (!Number.isInteger(options.minBacklog) || options.minBacklog < 1) throw new RangeError(`fresh lane minBacklog must be a positive integer, got ${options.minBacklog}`);
  }

  /** Records the fresh lane holds now (running, waiting for a place, or chained behind their key's). */
  get holding(): number {
    return this.held;
  }

  /**
   * The ordered lane's assignment changed (it joined its group, crashed or stopped): only these
   * partitions have a book, and each starts again without coverage. Records taken and not settled
   * stay in their book: a partition kept across the rebalance is refetched from its committed
   * offset, and the ordered lane must wait for them rather than run them a second time at once.
   */
  reset(assigned: { topic: string; partition: number }[]): void {
    const keep = new Set(assigned.map((a) => id(a.topic, a.partition)));
    for (const [k, old] of this.books) {
      if (keep.has(k)) continue;
      // A partition gone: its next owner runs what it finds again (handlers are idempotent); only
      // records still running stay, for their runner to settle.
      for (const [offset, t] of old.taken) if (t.state === 'handled') old.taken.delete(offset);
      if (old.taken.size === 0) this.books.delete(k);
    }
    for (const k of keep) {
      const old = this.books.get(k);
      const book = new PartitionBook();
      if (old) for (const [offset, t] of old.taken) book.taken.set(offset, t);
      if (old) for (const [key, tail] of old.freshTail) book.freshTail.set(key, tail);
      this.books.set(k, book);
    }
    for (const [k, book] of this.books) if (!keep.has(k)) this.books.set(k, detached(book));
  }

  /** Whether the ordered lane holds this partition (a fresh record of another one is given back). */
  assigned(topic: string, partition: number): boolean {
    const book = this.books.get(id(topic, partition));
    return book !== undefined && !book.detached;
  }

  /** The ordered lane fetched a batch: its keys are the ordered lane's, up to its last offset. */
  orderedBatch(topic: string, partition: number, records: { offset: string; key: string | undefined }[]): void {
    const book = this.live(topic, partition);
    if (!book || records.length === 0) return;
    for (const r of records) {
      const offset = Number(r.offset);
      if (r.key !== undefined && !book.taken.has(offset)) book.stillOrdered(r.key, offset);
    }
    book.fetchedEnd = Math.max(book.fetchedEnd, Number(records[records.length - 1].offset));
    book.frontier = Math.max(book.frontier, Number(records[0].offset));
  }

  /**
   * The ordered lane reached a record: undefined if it is its own to handle; else the fresh lane's
   * outcome to wait for (true: handled, count it done; false: given back, handle it now). A taken
   * record that has not started yet is taken back (it would only wait longer on the fresh lane).
   */
  orderedTurn(topic: string, partition: number, offset: string): Promise<boolean> | undefined {
    const taken = this.books.get(id(topic, partition))?.taken.get(Number(offset));
    if (taken?.state === 'waiting') {
      taken.state = 'revoked';
      taken.cancel?.();
    }
    return taken?.outcome;
  }

  /** The ordered lane finished a record (handled, skipped as the fresh lane's, or parked); `frontier` = its first offset not done. */
  orderedDone(topic: string, partition: number, offset: string, key: string | undefined, frontier: string): void {
    const book = this.live(topic, partition);
    if (!book) return;
    const n = Number(offset);
    book.taken.delete(n);
    if (key !== undefined && (book.ordered.get(key) ?? Number.POSITIVE_INFINITY) <= n) book.ordered.delete(key);
    book.frontier = Math.max(book.frontier, Number(frontier));
  }

  /**
   * The lookout saw a record at the partition's end. Returns a ticket when the fresh lane takes it
   * (the caller runs it and settles the ticket); undefined when it stays the ordered lane's.
   * `admitted` is asked last, only of a record the lane would otherwise take (it may parse it).
   */
  offer(
    topic: string, partition: number, offset: string, key: string | undefined, admitted: () => boolean = () => true, rank: () => number | undefined = () => undefined,
  ): FreshTicket | undefined {
    const book = this.live(topic, partition);
    if (!book) return undefined;
    const n = Number(offset);
    // A gap in what the lookout saw (it restarted from the end): coverage starts again from here.
    if (book.firstSeen === undefined || (book.lastSeen !== undefined && n !== book.lastSeen + 1)) book.firstSeen = n;
    book.lastSeen = n;
    // Already fetched by the ordered lane (the lookout lags it): known from its batch, or done.
    if (n <= book.fetchedEnd) return undefined;
    if (key === undefined) return undefined;
    // Behind a record of its key that has not started on the fresh lane it would gain nothing, and that
    // one may yet be taken back: the key stays with the ordered lane from here.
    const tail = book.freshTail.get(key);
    const take = book.covered
      && !book.ordered.has(key)
      && tail?.state !== 'waiting' && tail?.state !== 'revoked'
      && n - book.frontier >= this.options.minBacklog
      && admitted();
    if (!take) {
      book.stillOrdered(key, n);
      return undefined;
    }
    return this.ticket(topic, partition, book, n, key, rank() ?? Number.NEGATIVE_INFINITY);
  }

  private ticket(topic: string, partition: number, book: PartitionBook, offset: number, key: string, rank: number): FreshTicket {
    const previous = book.freshTail.get(key)?.outcome ?? Promise.resolve(true);
    let resolve!: (handled: boolean) => void;
    const outcome = new Promise<boolean>((r) => { resolve = r; });
    const entry: Taken = { key, outcome, state: 'waiting' };
    book.taken.set(offset, entry);
    book.freshTail.set(key, entry);
    this.held++;
    let settled = false;
    const run = () => {
      entry.state = 'running';
      entry.cancel = undefined;
      this.running++;
      freshActivity.started();
    };
    // A place now if one is free (so the key's next record, often in the same fetch, can follow it).
    if (this.running < this.options.capacity) run();
    return {
      topic, partition, offset: String(offset), previous,
      start: () => {
        if (entry.state === 'running') return Promise.resolve(true);
        if (entry.state !== 'waiting') return Promise.resolve(false);
        if (this.running < this.options.capacity) {
          run();
          return Promise.resolve(true);
        }
        return new Promise<boolean>((started) => {
          const waiter = { grant: () => { run(); started(true); }, rank, seq: this.seq++ };
          this.waiting.push(waiter);
          entry.cancel = () => {
            const i = this.waiting.indexOf(waiter);
            if (i >= 0) this.waiting.splice(i, 1);
            started(false);
          };
        });
      },
      settle: (handled: boolean) => {
        if (settled) return;
        settled = true;
        this.held--;
        if (entry.state === 'running') {
          this.running--;
          freshActivity.ended();
          // The highest-ranked waiting record gets the place (the newest among equals).
          this.next()?.grant();
        }
        entry.cancel?.();
        // Whichever book holds the partition now (a reset replaced the object, not the entries).
        const current = this.books.get(id(topic, partition)) ?? book;
        entry.state = handled ? 'handled' : 'revoked';
        if (!handled || current.detached) current.taken.delete(offset);
        if (current.freshTail.get(key) === entry) current.freshTail.delete(key);
        // Given back: the key is the ordered lane's again from this record on.
        if (!handled && !current.detached) current.stillOrdered(key, offset);
        if (current.detached && current.taken.size === 0) this.books.delete(id(topic, partition));
        resolve(handled);
      },
    };
  }

  /** Takes the waiting record with the highest rank, the newest among equals (a scan: at most `capacity`-ish waiters per key set, a few hundred at worst). */
  private next(): { grant: () => void } | undefined {
    let best = -1;
    for (let i = 0; i < this.waiting.length; i++) {
      const w = this.waiting[i];
      const b = this.waiting[best];
      if (best < 0 || w.rank > b.rank || (w.rank === b.rank && w.seq > b.seq)) best = i;
    }
    return best < 0 ? undefined : this.waiting.splice(best, 1)[0];
  }

  private live(topic: string, partition: number): PartitionBook | undefined {
    const book = this.books.get(id(topic, partition));
    return book && !book.detached ? book : undefined;
  }
}

function detached(book: PartitionBook): PartitionBook {
  book.detached = true;
  return book;
}

function id(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
