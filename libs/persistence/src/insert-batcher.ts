import type { Model } from 'mongoose';
import { Coalescer, Waiting, itemError, writeErrorsByIndex } from './coalescer';

export type InsertOutcome = 'inserted' | 'duplicate';

/**
 * Concurrent callers' inserts as one unordered `insertMany` (Coalescer: one request in flight, the
 * rest together). Each caller learns its own document's fate — inserted, or a duplicate of the unique
 * `_id` — only once the store acknowledged it. On FerretDB one insertMany of 20 costs about what one
 * insertOne does (ADR 0423); the router's messages and bot turns and the AI worker's predictions go
 * through it too (ADR 0011).
 */
export class InsertBatcher<T> {
  private readonly coalescer: Coalescer<T, InsertOutcome>;

  constructor(
    private readonly insertMany: (docs: T[]) => Promise<unknown>,
    maxBatch = 100,
  ) {
    // A newcomer's insert (ADR 0012) goes beside a backlog's batch in flight, not behind it: inserts are
    // decided by their unique _id, whichever request lands first.
    this.coalescer = new Coalescer((batch) => this.write(batch), maxBatch, { alongside: true });
  }

  insert(doc: T): Promise<InsertOutcome> {
    return this.coalescer.add(doc);
  }

  private async write(batch: Waiting<T, InsertOutcome>[]): Promise<void> {
    try {
      await this.insertMany(batch.map((w) => w.item));
      for (const w of batch) w.resolve('inserted');
    } catch (err) {
      const failed = writeErrorsByIndex(err);
      // Not a per-document failure (connection lost, timeout): nobody knows what was stored.
      if (!failed) throw err;
      batch.forEach((w, i) => {
        const e = failed.get(i);
        if (!e) w.resolve('inserted');
        else if (e.code === 11000) w.resolve('duplicate');
        else w.reject(itemError(e, 'insert'));
      });
    }
  }
}

/**
 * The driver's unordered `insertMany` on a model's collection, without mongoose's per-document
 * hydration, casting and validation: for repositories whose callers build complete, typed documents
 * (defaults set in the repository). Measured in the router under the WhatsApp burst, mongoose's
 * `insertMany` cost more CPU than the driver's whole command (ADR 0011, eighth step). Fields left
 * `undefined` are not stored, as mongoose does.
 */
export function driverInsertMany<T>(model: Model<T>): (docs: T[]) => Promise<unknown> {
  return (docs) => model.collection.insertMany(docs as never[], { ordered: false, ignoreUndefined: true });
}
