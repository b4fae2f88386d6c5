/** One update of one document: what `bulkWrite`'s `updateOne` takes. */
export interface UpdateOp {
  filter: Record<string, unknown>;
  update: Record<string, unknown>;
}

/**
 * Whether the update's filter matched: known when the whole batch matched (`true`) or none of it did
 * (`false`); `undefined` when only some did — the store reports one count per batch, not per update,
 * so a caller that must know checks its own document.
 */
export type UpdateMatch = boolean | undefined;

interface Pending {
  op: UpdateOp;
  resolve: (matched: UpdateMatch) => void;
  reject: (err: unknown) => void;
}

interface BulkOutcome {
  matchedCount: number;
}

/** The per-update errors of an unordered bulk write (the driver gives one or an array), or undefined. */
function writeErrorIndexes(err: unknown): Map<number, { code?: number; errmsg?: string }> | undefined {
  if (typeof err !== 'object' || err === null || !('writeErrors' in err)) return undefined;
  const w = (err).writeErrors;
  const list = (Array.isArray(w) ? w : [w]) as { index?: unknown; code?: number; errmsg?: string }[];
  if (!list.length || !list.every((e) => typeof e === 'object' && e !== null && typeof e.index === 'number')) return undefined;
  return new Map(list.map((e) => [e.index as number, e]));
}

/**
 * Coalesces the single-document updates of concurrent callers into one unordered `bulkWrite`, one
 * request in flight at a time (as InsertBatcher does for inserts): the first update leaves at once,
 * those arriving meanwhile wait for it and leave together. Each caller is answered only once the store
 * acknowledged its update, so a handler that awaits it still commits its offset after its effect.
 * Updates of one document keep their order within a batch (the store applies an unordered batch's
 * updates one after another; only their order relative to a failed one is not kept).
 */
export class UpdateBatcher {
  private readonly queue: Pending[] = [];
  private inFlight = false;

  constructor(
    private readonly bulkWrite: (ops: { updateOne: UpdateOp }[]) => Promise<BulkOutcome>,
    private readonly maxBatch = 100,
  ) {}

  update(filter: Record<string, unknown>, update: Record<string, unknown>): Promise<UpdateMatch> {
    return new Promise<UpdateMatch>((resolve, reject) => {
      this.queue.push({ op: { filter, update }, resolve, reject });
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

  private async write(batch: Pending[]): Promise<void> {
    try {
      const { matchedCount } = await this.bulkWrite(batch.map((p) => ({ updateOne: p.op })));
      const matched: UpdateMatch = matchedCount === batch.length ? true : matchedCount === 0 ? false : undefined;
      for (const p of batch) p.resolve(matched);
    } catch (err) {
      const failed = writeErrorIndexes(err);
      // Not a per-update failure (connection lost, timeout): nobody knows what was applied.
      if (!failed) {
        for (const p of batch) p.reject(err);
        return;
      }
      batch.forEach((p, i) => {
        const e = failed.get(i);
        if (e) p.reject(Object.assign(new Error(e.errmsg ?? `update failed with code ${e.code}`), { code: e.code }));
        else p.resolve(undefined);
      });
    }
  }
}
