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

  constructor(
    private readonly write: (batch: Waiting<T, R>[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // Work for a message the fresh lane took (hasPriority) goes ahead of the backlog's, in its own order.
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
    void this.write(batch)
      .catch((err: unknown) => { for (const w of batch) w.reject(err); })
      .finally(() => {
        this.inFlight = false;
        this.flush();
      });
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
