/**
 * Stage 2: entities.
 *
 * Entities are found on the normalized text, returned with spans into it, and replaced by
 * placeholders (<order>, <email>, …) before classification, so "ORD-483920" and "ORD-112233"
 * look the same to the intent model and personal data never becomes a feature.
 *
 * Detectors run in a fixed priority order and a later one never overlaps an earlier one: an order
 * number must not also be read as a phone number (libphonenumber accepts "483920" in some
 * countries) and an amount must not be read as a date.
 */
import * as chrono from 'chrono-node';
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import { OrderPattern, compileOrderPattern, orderMatches, unsafeOrderPattern } from './order-patterns';

export type EntityType = 'order_number' | 'email' | 'phone' | 'amount' | 'date' | 'url';

export interface Entity {
  readonly type: EntityType;
  /** Canonical value: order number upper-cased, E.164 phone, "49.99 EUR", ISO date "2026-03-11". */
  readonly value: string;
  /** The text as written (in the normalized text). */
  readonly text: string;
  /** Span in the normalized text, [start, end). */
  readonly start: number;
  readonly end: number;
}

export interface EntityOptions {
  /** Regex sources (global flag added) for the tenant's order-number formats. */
  readonly orderPatterns: readonly string[];
  /** Country for phone numbers written without +country code (ISO 3166 alpha-2). */
  readonly defaultCountry?: string;
}

export const DEFAULT_ORDER_PATTERNS: readonly string[] = [
  // ORD-483920, ord 483920, ORD483920
  '\\b[Oo][Rr][Dd][-\\s]?\\d{5,10}\\b',
  // #558213 (a hash followed by 5-10 digits)
  '#\\d{5,10}\\b',
];

export const PLACEHOLDER: Record<EntityType, string> = {
  order_number: '<order>',
  email: '<email>',
  phone: '<phone>',
  amount: '<amount>',
  date: '<date>',
  url: '<url>',
};

// The lookbehind lets a match start only where a local part starts: without it, every position
// of a long run of word characters began a scan to the run's end looking for '@' (quadratic:
// 100 KB of letters took 16 s; issue 15 #6).
const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
const URL_RE = /\bhttps?:\/\/[^\s]+/gu;

// Currency written before or after the number. Longer tokens first so "US$" wins over "$".
const CURRENCY_TOKENS: readonly [string, string][] = [
  ['US$', 'USD'], ['R$', 'BRL'], ['RM', 'MYR'], ['Rp.', 'IDR'], ['Rp', 'IDR'], ['$', 'USD'], ['€', 'EUR'],
  ['£', 'GBP'], ['¥', 'CNY'], ['₫', 'VND'], ['đ', 'VND'], ['฿', 'THB'], ['บาท', 'THB'], ['元', 'CNY'],
  ['块', 'CNY'], ['ريال', 'SAR'], ['ر.س', 'SAR'], ['درهم', 'AED'], ['دولار', 'USD'], ['يورو', 'EUR'],
  ['đồng', 'VND'], ['euros', 'EUR'], ['euro', 'EUR'], ['dollars', 'USD'], ['reais', 'BRL'], ['pesos', 'MXN'],
  ['rupiah', 'IDR'], ['baht', 'THB'],
];
const ISO_CODES = ['USD', 'EUR', 'GBP', 'BRL', 'MXN', 'ARS', 'CLP', 'COP', 'THB', 'IDR', 'VND', 'CNY', 'RMB', 'SAR', 'AED', 'EGP', 'MYR', 'SGD', 'CHF', 'CAD', 'AUD', 'JPY'];
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const CUR_ALT = [...ISO_CODES.map((c) => [c, c] as [string, string]), ...CURRENCY_TOKENS]
  .map(([t]) => escapeRe(t))
  .sort((a, b) => b.length - a.length)
  .join('|');
const NUM = '\\d{1,3}(?:[.,\\s]\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?';
const AMOUNT_BEFORE = new RegExp(`(?<![\\p{Script=Latin}\\d])(${CUR_ALT})\\s?(${NUM})`, 'gu');
const AMOUNT_AFTER = new RegExp(`(?<![\\d.,])(${NUM})\\s?(${CUR_ALT})(?![\\p{Ll}])`, 'gu');
const CUR_MAP = new Map<string, string>([...ISO_CODES.map((c) => [c.toLowerCase(), c === 'RMB' ? 'CNY' : c] as [string, string]), ...CURRENCY_TOKENS.map(([t, c]) => [t.toLowerCase(), c] as [string, string])]);

/** "1.290,50" → 1290.5, "499.000" → 499000, "59.90" → 59.9: the last separator decides. */
export function parseAmount(raw: string): number {
  const s = raw.replace(/\s/g, '');
  const last = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  if (last < 0) return Number(s);
  const decimals = s.length - last - 1;
  if (decimals === 3) return Number(s.replace(/[.,]/g, ''));
  return Number(s.slice(0, last).replace(/[.,]/g, '') + '.' + s.slice(last + 1));
}

// chrono-node locales; Thai has none, so it gets the rule table below.
type ChronoParser = { parse(text: string, ref?: Date): chrono.ParsedResult[] };
const CHRONO: Record<string, ChronoParser> = {
  en: chrono.en, es: chrono.es, pt: chrono.pt, fr: chrono.fr, de: chrono.de, zh: chrono.zh,
  vi: chrono.vi, id: chrono.id, ar: chrono.ar, ja: chrono.ja, nl: chrono.nl, it: chrono.it, ru: chrono.ru,
};

// Relative-day words for languages without a chrono locale (and as a cheap pre-filter for all).
const RELATIVE_DAYS: Record<string, readonly [string, number][]> = {
  th: [['เมื่อวานซืน', -2], ['มะรืนนี้', 2], ['มะรืน', 2], ['พรุ่งนี้', 1], ['วันนี้', 0], ['เมื่อวาน', -1]],
};
const LOOKS_LIKE_DATE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$/;
const NUMERIC_DATE = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b|\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?\b/gu;
// Words that make a chrono pass worthwhile; without a digit or one of these, chrono is skipped
// (it costs tens of microseconds per call, most messages carry no date).
const DATE_HINT = /\d|tomorrow|today|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|mañana|hoy|ayer|lunes|martes|miércoles|jueves|viernes|sábado|domingo|semana|amanhã|hoje|ontem|segunda|terça|quarta|quinta|sexta|demain|aujourd|hier|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|semaine|morgen|heute|gestern|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|woche|besok|hari ini|kemarin|senin|selasa|rabu|kamis|jumat|sabtu|minggu|ngày mai|hôm nay|hôm qua|thứ|tuần|明天|今天|昨天|后天|星期|周|غد|اليوم|أمس|الأسبوع|الجمعة|السبت|الأحد/iu;

function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export class EntityExtractor {
  private readonly orderRes: OrderPattern[];
  /** Order patterns that are never run, with the reason (unsafe or invalid, order-patterns.ts). */
  readonly refusedPatterns: readonly { readonly pattern: string; readonly reason: string }[];

  constructor(private readonly options: EntityOptions) {
    const refused: { pattern: string; reason: string }[] = [];
    this.orderRes = options.orderPatterns.flatMap((p) => {
      // The built-in patterns are trusted; a tenant's may be hostile (stored before uploads were checked).
      const reason = DEFAULT_ORDER_PATTERNS.includes(p) ? null : unsafeOrderPattern(p);
      if (reason) {
        refused.push({ pattern: p, reason });
        return [];
      }
      return [compileOrderPattern(p)];
    });
    this.refusedPatterns = refused;
  }

  /**
   * All entities but dates (those need the language, which is detected on the text with these
   * entities removed).
   */
  extract(text: string): Entity[] {
    const found: Entity[] = [];
    const taken = (s: number, e: number): boolean => found.some((x) => s < x.end && e > x.start);
    const push = (ent: Entity): void => {
      if (!taken(ent.start, ent.end)) found.push(ent);
    };
    for (const m of text.matchAll(URL_RE)) push(this.make('url', m[0], m[0], m.index));
    for (const m of text.matchAll(EMAIL)) push(this.make('email', m[0].toLowerCase(), m[0], m.index));
    for (const re of this.orderRes) {
      for (const m of orderMatches(re, text)) {
        push(this.make('order_number', m.text.replace(/^#/, '').replace(/\s/g, '-').toUpperCase(), m.text, m.index));
      }
    }
    for (const re of [AMOUNT_BEFORE, AMOUNT_AFTER]) {
      for (const m of text.matchAll(re)) {
        const before = re === AMOUNT_BEFORE;
        const cur = CUR_MAP.get((before ? m[1] : m[2]).toLowerCase()) ?? 'XXX';
        const amount = parseAmount(before ? m[2] : m[1]);
        if (Number.isFinite(amount)) push(this.make('amount', `${amount} ${cur}`, m[0], m.index));
      }
    }
    // Phones last among the digit entities, on a copy with the others blanked out (same length,
    // so libphonenumber's offsets stay valid).
    const blanked = blank(text, found);
    const country = (this.options.defaultCountry ?? '').toUpperCase();
    const phones = findPhoneNumbersInText(blanked, country ? { defaultCountry: country as CountryCode } : undefined);
    for (const p of phones) {
      // Short national numbers are more often quantities or references than phones.
      if (p.number.nationalNumber.length < 7) continue;
      // "2026-02-28" and "12/04/2026" parse as numbers in several countries; they are dates.
      if (LOOKS_LIKE_DATE.test(text.slice(p.startsAt, p.endsAt).trim())) continue;
      push(this.make('phone', p.number.number, text.slice(p.startsAt, p.endsAt), p.startsAt));
    }
    return found.sort((a, b) => a.start - b.start);
  }

  /** Dates in the given language, not overlapping already found entities. */
  extractDates(text: string, language: string, existing: readonly Entity[], referenceDate: Date): Entity[] {
    if (!DATE_HINT.test(text) && !RELATIVE_DAYS[language]) return [];
    const blanked = blank(text, existing);
    const out: Entity[] = [];
    const free = (s: number, e: number): boolean =>
      !existing.some((x) => s < x.end && e > x.start) && !out.some((x) => s < x.end && e > x.start);
    const parser = CHRONO[language];
    if (parser) {
      for (const r of parser.parse(blanked, referenceDate)) {
        // chrono reads bare numbers like "3" in "3-5 days" as days of the month in some locales;
        // only results that pin at least a day or a relative expression are kept.
        if (!r.start.isCertain('day') && !r.start.isCertain('weekday') && !/\D/.test(r.text.replace(/[\s/.-]/g, ''))) continue;
        if (free(r.index, r.index + r.text.length)) out.push(this.make('date', isoDate(r.start.date()), r.text, r.index));
      }
    } else {
      for (const [word, offset] of RELATIVE_DAYS[language] ?? []) {
        let from = 0;
        for (;;) {
          const i = blanked.indexOf(word, from);
          if (i < 0) break;
          from = i + word.length;
          if (!free(i, i + word.length)) continue;
          const d = new Date(referenceDate);
          d.setDate(d.getDate() + offset);
          out.push(this.make('date', isoDate(d), word, i));
        }
      }
      for (const m of blanked.matchAll(NUMERIC_DATE)) {
        const [y, mo, da] = m[1] ? [Number(m[1]), Number(m[2]), Number(m[3])] : [m[6] ? Number(m[6]) : referenceDate.getFullYear(), Number(m[5]), Number(m[4])];
        // Thai dates are often in the Buddhist era (2569 = 2026).
        const year = y > 2400 ? y - 543 : y < 100 ? 2000 + y : y;
        if (mo < 1 || mo > 12 || da < 1 || da > 31) continue;
        if (!free(m.index, m.index + m[0].length)) continue;
        out.push(this.make('date', `${year}-${String(mo).padStart(2, '0')}-${String(da).padStart(2, '0')}`, m[0], m.index));
      }
    }
    return out;
  }

  private make(type: EntityType, value: string, raw: string, start: number): Entity {
    return { type, value, text: raw, start, end: start + raw.length };
  }
}

function blank(text: string, entities: readonly Entity[]): string {
  let out = text;
  for (const e of entities) out = out.slice(0, e.start) + ' '.repeat(e.end - e.start) + out.slice(e.end);
  return out;
}

/** Replace entity spans by placeholders (the text the classifier and the detector see). */
export function maskEntities(text: string, entities: readonly Entity[]): string {
  let out = '';
  let pos = 0;
  for (const e of [...entities].sort((a, b) => a.start - b.start)) {
    out += text.slice(pos, e.start) + ` ${PLACEHOLDER[e.type]} `;
    pos = e.end;
  }
  return (out + text.slice(pos)).replace(/\s+/g, ' ').trim();
}

/** Text without entities at all: for language detection, where "ORD-483920" is noise. */
export function stripEntities(text: string, entities: readonly Entity[]): string {
  return blank(text, entities).replace(/\s+/g, ' ').trim();
}
