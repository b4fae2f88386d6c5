export type InsertOutcome = 'inserted' | 'duplicate';

interface Pending<T> {
  doc: T;
  resolve: (outcome: InsertOutcome) => void;
  reject: (err: unknown) => void;
}

interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
}

/** The per-document errors of an unordered bulk insert (the driver gives one or an array), or undefined. */
function writeErrorsOf(err: unknown): WriteErrorLike[] | undefined {
  if (typeof err !== 'object' || err === null || !('writeErrors' in err)) return undefined;
  const w = err.writeErrors;
  const list: unknown[] = Array.isArray(w) ? w : [w];
  const ok = list.every((e) => typeof e === 'object' && e !== null && typeof (e as { index?: unknown }).index === 'number');
  return ok && list.length ? (list as WriteErrorLike[]) : undefined;
}

/**
 * Coalesces the inserts of concurrent callers into one unordered `insertMany`, one request in
 * flight at a time: the first insert goes out at once, those arriving meanwhile wait for it and go
 * together. Each caller learns its own document's fate — inserted, or a duplicate of the unique
 * `_id` — only once the store acknowledged it, so the durability of a single insert is kept.
 * On FerretDB one insertMany of 20 costs about what one insertOne does (ADR 0423); the router's
 * messages and bot turns and the AI worker's predictions go through it too (ADR 0011).
 */
export class InsertBatcher<T> {
  private readonly queue: Pending<T>[] = [];
  private inFlight = false;

  constructor(
    private readonly insertMany: (docs: T[]) => Promise<unknown>,
    private readonly maxBatch = 100,
  ) {}

  insert(doc: T): Promise<InsertOutcome> {
    return new Promise<InsertOutcome>((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight || !this.queue.length) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight = true;
    void this.write(batch).finally(() => {
      this.inFlight = false;
      this.flush();
    });
  }

  private async write(batch: Pending<T>[]): Promise<void> {
    try {
      await this.insertMany(batch.map((p) => p.doc));
      for (const p of batch) p.resolve('inserted');
      return;
    } catch (err) {
      const errors = writeErrorsOf(err);
      // Not a per-document failure (connection lost, timeout): nobody knows what was stored.
      if (!errors) {
        for (const p of batch) p.reject(err);
        return;
      }
      const byIndex = new Map(errors.map((e) => [e.index, e]));
      batch.forEach((p, i) => {
        const e = byIndex.get(i);
        if (!e) p.resolve('inserted');
        else if (e.code === 11000) p.resolve('duplicate');
        else p.reject(Object.assign(new Error(e.errmsg ?? `insert failed with code ${e.code}`), { code: e.code }));
      });
    }
  }
}
