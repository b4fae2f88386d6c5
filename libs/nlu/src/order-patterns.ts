/**
 * Tenants upload their own order-number formats as regular expressions, and they run on every
 * message. JavaScript's RegExp backtracks, so a pattern such as `(a+)+$` takes exponential time
 * on a crafted message (ReDoS). A pattern is accepted only when safe-regex2 (fastify's maintained
 * star-height checker) finds no nested quantifier and at most MAX_REPETITIONS quantifiers, it has
 * no backreference, and it compiles with the flags the extractor uses. The extractor applies the
 * same check to patterns stored before it existed and skips the ones that fail.
 *
 * Limits of the check (docs/security.md, finding 6): star height misses some super-linear
 * patterns (an ambiguous alternation under one quantifier, adjacent overlapping quantifiers);
 * those are bounded by the text cap (limits.ts) and by MAX_REPETITIONS, not made linear. A
 * linear-time engine (re2js) would remove the residue; it is not a dependency yet.
 */
import safeRegex from 'safe-regex2';

/** Quantifiers per pattern: an order format needs one or two (`ORD-?\d{5,10}`). */
export const MAX_REPETITIONS = 3;
export const MAX_PATTERN_LENGTH = 200;

/** Why a tenant order pattern is refused, or null when it may run. */
export function unsafeOrderPattern(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern, 'gu');
  } catch (err) {
    return err instanceof Error ? err.message : 'invalid pattern';
  }
  // \1 … \9 and \k<name>: backreferences make matching NP-hard; an order number never needs one.
  if (/\\(?:[1-9]|k<)/.test(pattern)) return 'backreferences are not allowed';
  if (!safeRegex(pattern, { limit: MAX_REPETITIONS })) {
    return `may take exponential time (a quantifier inside a quantified group, or more than ${MAX_REPETITIONS} quantifiers)`;
  }
  return null;
}
