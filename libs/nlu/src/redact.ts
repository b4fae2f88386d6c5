/**
 * Personal data out, placeholders in: what may leave the process for an external provider.
 *
 * IBANs, street addresses, dates of birth and people's names (personal-data.ts) and the entities
 * found by the pipeline (order numbers, emails, phones, amounts, URLs) become numbered placeholders
 * such as `[name_1]` or `[order_number_1]`; as a second net, any e-mail-like token and any run of 5+
 * digits that the extractor did not recognise is replaced too. Recent dates stay: alone they identify
 * nobody and an answer about delivery needs them. `restore` puts the originals back into the
 * provider's reply, locally.
 */
import type { Entity, EntityType } from './entities';
import { findPersonalData } from './personal-data';

const REDACTED: ReadonlySet<EntityType> = new Set(['order_number', 'email', 'phone', 'amount', 'url']);
const EMAIL_LIKE = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
/** 5+ digits, possibly split by spaces, dots or dashes (phone numbers, account and order ids). */
const DIGIT_RUN = /\+?\d(?:[\s.\-/]?\d){4,}/g;

export interface Redactor {
  /** `text` with every known personal value (and any unrecognised digit run or e-mail) replaced. */
  redact(text: string): string;
  /** The provider's text with the placeholders this redactor made turned back into the originals. */
  restore(text: string): string;
  /** Placeholder → original (never logged). */
  readonly slots: ReadonlyMap<string, string>;
}

export interface RedactorOptions {
  /** Today: full dates at least 12 years before it are treated as dates of birth. */
  readonly now: Date;
}

export function createRedactor(entities: readonly Entity[], options: RedactorOptions): Redactor {
  const byOriginal = new Map<string, string>();
  const slots = new Map<string, string>();
  const counters = new Map<string, number>();
  const placeholderFor = (kind: string, original: string): string => {
    const known = byOriginal.get(original);
    if (known) return known;
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    const placeholder = `[${kind}_${n}]`;
    byOriginal.set(original, placeholder);
    slots.set(placeholder, original);
    return placeholder;
  };
  // Longest first, so "ORD-12345" is replaced before a shorter value it contains.
  const known = entities
    .filter((e) => REDACTED.has(e.type))
    .flatMap((e) => [...new Set([e.text, e.value])].map((original) => ({ original, placeholder: placeholderFor(e.type, e.text) })))
    .filter((k) => k.original.trim().length > 0)
    .sort((a, b) => b.original.length - a.original.length);

  return {
    slots,
    redact(text: string): string {
      let out = text;
      // Found on the text itself first: an IBAN or a birth date must go whole, before the entity
      // extractor's phones and order numbers (digit runs) cut pieces out of it.
      for (const p of findPersonalData(text, options)) out = out.split(p.text).join(placeholderFor(p.kind, p.text));
      for (const k of known) out = out.split(k.original).join(k.placeholder);
      out = out.replace(EMAIL_LIKE, (m) => placeholderFor('email', m));
      return out.replace(DIGIT_RUN, (m) => placeholderFor('number', m));
    },
    restore(text: string): string {
      return text.replace(/\[[a-z_]+_\d+\]/g, (p) => slots.get(p) ?? p);
    },
  };
}
