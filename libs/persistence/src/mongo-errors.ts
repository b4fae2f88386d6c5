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
