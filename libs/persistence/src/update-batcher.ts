import { Coalescer, Waiting, itemError, writeErrorsByIndex } from './coalescer';

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

interface BulkOutcome {
  matchedCount: number;
}

/**
 * Concurrent callers' single-document updates as one unordered `bulkWrite` (Coalescer: one request
 * in flight, the rest together, as InsertBatcher does for inserts). Each caller is answered only once
 * the store acknowledged its update, so a handler that awaits it still commits its offset after its
 * effect. Updates of one document keep their order within a batch (the store applies an unordered
 * batch's updates one after another; only their order relative to a failed one is not kept).
 */
export class UpdateBatcher {
  private readonly coalescer: Coalescer<UpdateOp, UpdateMatch>;

  constructor(
    private readonly bulkWrite: (ops: { updateOne: UpdateOp }[]) => Promise<BulkOutcome>,
    maxBatch = 100,
  ) {
    this.coalescer = new Coalescer((batch) => this.write(batch), maxBatch);
  }

  update(filter: Record<string, unknown>, update: Record<string, unknown>): Promise<UpdateMatch> {
    return this.coalescer.add({ filter, update });
  }

  private async write(batch: Waiting<UpdateOp, UpdateMatch>[]): Promise<void> {
    try {
      const { matchedCount } = await this.bulkWrite(batch.map((w) => ({ updateOne: w.item })));
      const matched: UpdateMatch = matchedCount === batch.length ? true : matchedCount === 0 ? false : undefined;
      for (const w of batch) w.resolve(matched);
    } catch (err) {
      const failed = writeErrorsByIndex(err);
      // Not a per-update failure (connection lost, timeout): nobody knows what was applied.
      if (!failed) throw err;
      batch.forEach((w, i) => {
        const e = failed.get(i);
        if (e) w.reject(itemError(e, 'update'));
        else w.resolve(undefined);
      });
    }
  }
}
