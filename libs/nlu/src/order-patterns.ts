/**
 * Tenants upload their own order-number formats as regular expressions, and they run on every
 * message. JavaScript's RegExp backtracks, so a pattern such as `(a+)+$` would take exponential time
 * on a crafted message (ReDoS). Tenant patterns therefore never run on RegExp: they are compiled
 * and run by re2js, a maintained port of RE2, whose automaton matches in time linear in the text
 * whatever the pattern (issue 15 #6). RE2 has no backreferences or lookarounds and bounds repeat
 * counts and program size; a pattern it cannot compile is refused at upload (400 naming it) and,
 * if stored before, skipped by the extractor.
 */
import { RE2JS } from 're2js';

export const MAX_PATTERN_LENGTH = 200;

/** A compiled tenant pattern: linear-time matching (RE2). */
export type OrderPattern = RE2JS;

/** Compiles a pattern for the extractor; throws RE2's syntax error. */
export function compileOrderPattern(pattern: string): OrderPattern {
  return RE2JS.compile(pattern);
}

/** Why a tenant order pattern is refused, or null when it may run. */
export function unsafeOrderPattern(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  // \1 … \9 and \k<name>: said plainly (RE2 would only say "invalid escape sequence").
  if (/\\(?:[1-9]|k<)/.test(pattern)) return 'backreferences are not allowed';
  try {
    compileOrderPattern(pattern);
  } catch (err) {
    return `not a pattern the linear-time engine (RE2) runs: ${err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : 'invalid pattern'}`;
  }
  return null;
}

/** Every non-overlapping match, left to right, with UTF-16 indices (as String.prototype.matchAll). */
export function* orderMatches(re: OrderPattern, text: string): Generator<{ readonly text: string; readonly index: number }> {
  const m = re.matcher(text);
  while (m.find()) {
    const found = m.group() ?? '';
    yield { text: found, index: m.start() };
  }
}
