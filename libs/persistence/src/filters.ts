/**
 * A filter matching documents whose `field` is any of `values`: an equality for one value, `$in`
 * otherwise. Most lists on the conversation path hold one id (a customer without linked identities,
 * one conversation), and FerretDB — the local store — pushes an equality down to its index but runs
 * `$in` as a scan of the collection (ADR 0011, fourth step: 1.1 s for 50 ids, and a profile's
 * `verified_contacts` read took 170 ms of a message's path at 300 customers). MongoDB answers both
 * from the index, so the equality costs nothing there.
 */
export function anyOf<V>(field: string, values: readonly V[]): Record<string, V | { $in: V[] }> {
  return values.length === 1 ? { [field]: values[0] } : { [field]: { $in: [...values] } };
}
