import { hasPriority } from '@omni/contracts';

export interface Waiting<T, R> {
  readonly item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Coalesces concurrent callers' writes, one request in flight at a time: the first item goes out at
 * once, those arriving meanwhile wait for it and go together (at most `maxBatch` per request). `write`
 * sends one batch and answers each of its items — only once the store acknowledged it, so a caller
 * that awaits its item keeps the durability of a single write. The InsertBatcher and UpdateBatcher
 * are this with their own request and per-item answers.
 */
export class Coalescer<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  /** The queue's first items added with priority (a newcomer's, ADR 0012): they go in the next request. */
  private prioritized = 0;
  private inFlight = false;
  /** With `alongside`: priority items wait here for their own request, beside the ordinary one. */
  private readonly urgent: Waiting<T, R>[] = [];
  private urgentInFlight = false;

  /**
   * `alongside`: an item added with priority does not wait for the ordinary request in flight (under
   * a backlog, a batch of `maxBatch` that may take hundreds of milliseconds); it goes at once in a
   * request of its own, beside it, with the other priority items that came meanwhile. Only for writes
   * whose order across requests does not matter (inserts, each decided by its unique `_id`): two
   * updates of one document in two requests at once could land in either order.
   */
  constructor(
    private readonly write: (batch: Waiting<T, R>[]) => Promise<void>,
    private readonly maxBatch: number,
    private readonly options: { alongside?: boolean } = {},
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // Work for a message the fresh lane took (hasPriority) goes ahead of the backlog's, in its own order.
      if (hasPriority() && this.options.alongside) {
        this.urgent.push({ item, resolve, reject });
        this.flushUrgent();
        return;
      }
      if (hasPriority()) this.queue.splice(this.prioritized++, 0, { item, resolve, reject });
      else this.queue.push({ item, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight || !this.queue.length) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.prioritized = Math.max(0, this.prioritized - batch.length);
    this.inFlight = true;
    void this.send(batch).finally(() => {
      this.inFlight = false;
      this.flush();
    });
  }

  private flushUrgent(): void {
    if (this.urgentInFlight || !this.urgent.length) return;
    this.urgentInFlight = true;
    void this.send(this.urgent.splice(0, this.maxBatch)).finally(() => {
      this.urgentInFlight = false;
      this.flushUrgent();
    });
  }

  private send(batch: Waiting<T, R>[]): Promise<void> {
    return this.write(batch).catch((err: unknown) => { for (const w of batch) w.reject(err); });
  }
}

interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
}

/** The per-item errors of an unordered bulk write, by index (the driver gives one or an array), or undefined. */
export function writeErrorsByIndex(err: unknown): Map<number, WriteErrorLike> | undefined {
  if (typeof err !== 'object' || err === null || !('writeErrors' in err)) return undefined;
  const w = (err).writeErrors;
  const list: unknown[] = Array.isArray(w) ? w : [w];
  const ok = list.every((e) => typeof e === 'object' && e !== null && typeof (e as { index?: unknown }).index === 'number');
  return ok && list.length ? new Map((list as WriteErrorLike[]).map((e) => [e.index, e])) : undefined;
}

/** The error a caller gets for its own refused item. */
export function itemError(e: WriteErrorLike, what: string): Error {
  return Object.assign(new Error(e.errmsg ?? `${what} failed with code ${e.code}`), { code: e.code });
}
