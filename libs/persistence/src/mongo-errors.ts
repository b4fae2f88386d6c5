import type { Model } from 'mongoose';

/** MongoDB's duplicate-key error: the idempotent "already stored" outcome, not a failure. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}

/** Inserts a document whose unique key makes it happen once: true if this call stored it, false if it was there. */
export async function insertOnce<T>(model: Model<T>, doc: T): Promise<boolean> {
  try {
    await model.create(doc);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Replaces the document matching `filter` or inserts it. Two concurrent upserts of a new `_id` can
 * both miss and both insert: the loser's duplicate-key error means the row now exists, so it
 * replaces once more (and a second duplicate key — an `_id` held under another filter — throws).
 */
export async function replaceOrInsert<T>(model: Model<T>, filter: Record<string, unknown>, doc: T): Promise<void> {
  try {
    await model.replaceOne(filter as never, doc, { upsert: true }).exec();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await model.replaceOne(filter as never, doc, { upsert: true }).exec();
  }
}
