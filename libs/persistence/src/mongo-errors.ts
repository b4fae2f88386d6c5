/** MongoDB's duplicate-key error: the idempotent "already stored" outcome, not a failure. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}
