/**
 * TF-IDF over word n-grams and character n-grams (within word boundaries).
 *
 * Character n-grams make the classifier robust to misspellings, inflection and unsegmented
 * scripts; word n-grams carry phrase meaning ("top up" vs "top"). The two blocks are L2-normalized
 * separately and then weighted, which measured better than one joint normalization (ADR 0100).
 */
import { tokenize } from './tokenize';

export interface VectorizerOptions {
  /** Word n-grams from 1 to this. */
  readonly wordNgramMax: number;
  readonly charNgramMin: number;
  readonly charNgramMax: number;
  /** 1 + log(tf) instead of raw counts. */
  readonly sublinearTf: boolean;
  /** Features seen in fewer training texts are dropped (keeps models small). */
  readonly minDf: number;
  /** Weight of the character block relative to the word block (each is unit length first). */
  readonly charWeight: number;
  /** Also word pairs with one word between them ("card * arrived"): robust to filler words. */
  readonly skipGrams: boolean;
  /** Character n-grams also across word boundaries (sklearn's analyzer='char'), not only within words. */
  readonly charAcrossWords: boolean;
  /**
   * When > 0, also unigrams and bigrams of words truncated to this many characters: a stemmer
   * that works in every language ("topped up", "topping up" → "toppe up" / "toppi up" share
   * nothing, but "refunded"/"refunding" → "refun").
   */
  readonly stemPrefix: number;
  /**
   * When > 0, unordered pairs of words at most this far apart ("card … arrive"): a cheap
   * second-order (polynomial-kernel-like) feature that word order variations do not break.
   */
  readonly pairWindow: number;
}

export const DEFAULT_VECTORIZER_OPTIONS: VectorizerOptions = {
  wordNgramMax: 2,
  charNgramMin: 1,
  charNgramMax: 5,
  sublinearTf: true,
  minDf: 2,
  charWeight: 1,
  skipGrams: false,
  charAcrossWords: false,
  stemPrefix: 0,
  pairWindow: 0,
};

/** A sparse vector: parallel arrays of feature indices and values. */
export interface SparseVector {
  readonly idx: Int32Array;
  readonly val: Float32Array;
}

export interface VectorizerJSON {
  readonly options: VectorizerOptions;
  readonly terms: string[];
  readonly idf: number[];
}

// Prefixes keep word features and character n-grams from colliding ("ab" the word vs "ab" the gram).
const WORD = '\u0001';
const CHAR = '\u0002';
const STEM = '\u0003';
const PAIR = '\u0004';

/**
 * Character n-grams by UTF-16 code units: substring() is several times faster than splitting into
 * code points, and an emoji split into two surrogate halves is still a consistent feature.
 */
function addCharGrams(padded: string, o: VectorizerOptions, add: (t: string) => void): void {
  for (let n = o.charNgramMin; n <= o.charNgramMax; n++) {
    for (let i = 0; i + n <= padded.length; i++) {
      if (n === 1 && padded.charCodeAt(i) === 32) continue;
      add(padded.substring(i, i + n));
    }
  }
}

/** Term counts of one text: word-level terms (prefixed by kind) and raw character n-grams. */
export interface TermCounts {
  readonly words: Map<string, number>;
  readonly chars: Map<string, number>;
}

/** Raw term counts of one text (`tokens`: its tokenize() result when the caller has it already). */
export function extractTerms(text: string, o: VectorizerOptions, tokens: readonly string[] = tokenize(text)): TermCounts {
  const counts = new Map<string, number>();
  const chars = new Map<string, number>();
  const add = (t: string): void => {
    counts.set(t, (counts.get(t) ?? 0) + 1);
  };
  // Character n-grams live in their own map, unprefixed: building "\u0002" + gram strings for
  // a few hundred grams per message was a measurable share of analyze().
  const addChar = (t: string): void => {
    chars.set(t, (chars.get(t) ?? 0) + 1);
  };
  for (let i = 0; i < tokens.length; i++) {
    let gram = tokens[i];
    add(WORD + gram);
    for (let n = 2; n <= o.wordNgramMax && i + n - 1 < tokens.length; n++) {
      gram += ' ' + tokens[i + n - 1];
      add(WORD + gram);
    }
  }
  if (o.stemPrefix > 0) {
    const stems = tokens.map((t) => (t.startsWith('<') ? t : Array.from(t).slice(0, o.stemPrefix).join('')));
    for (let i = 0; i < stems.length; i++) {
      add(STEM + stems[i]);
      if (i + 1 < stems.length) add(STEM + stems[i] + ' ' + stems[i + 1]);
    }
  }
  if (o.pairWindow > 0) {
    for (let i = 0; i < tokens.length; i++) {
      for (let j = i + 2; j <= i + o.pairWindow && j < tokens.length; j++) {
        const [a, b] = tokens[i] < tokens[j] ? [tokens[i], tokens[j]] : [tokens[j], tokens[i]];
        add(PAIR + a + ' ' + b);
      }
    }
  }
  if (o.skipGrams) {
    for (let i = 0; i + 2 < tokens.length; i++) add(WORD + tokens[i] + ' * ' + tokens[i + 2]);
  }
  if (o.charAcrossWords) {
    addCharGrams(' ' + tokens.filter((t) => !t.startsWith('<')).join(' ') + ' ', o, addChar);
    return { words: counts, chars };
  }
  for (const tok of tokens) {
    // Placeholders are atomic: their spelling says nothing about the customer's text.
    if (tok.startsWith('<')) continue;
    addCharGrams(' ' + tok + ' ', o, addChar);
  }
  return { words: counts, chars };
}

export class TfidfVectorizer {
  private readonly maxIdf: number;

  private constructor(
    readonly options: VectorizerOptions,
    private readonly vocab: Map<string, number>,
    private readonly charVocab: Map<string, number>,
    private readonly terms: string[],
    private readonly idf: Float32Array,
    private readonly isChar: Uint8Array,
  ) {
    let max = 1;
    for (const v of idf) max = Math.max(max, v);
    this.maxIdf = max;
  }

  /** Idf of a single (lower-cased) word; a word not in the vocabulary is as rare as the rarest one. */
  wordIdf(token: string): number {
    const j = this.vocab.get(WORD + token);
    return j === undefined ? this.maxIdf : this.idf[j];
  }

  get size(): number {
    return this.terms.length;
  }

  static fit(texts: readonly string[], options: VectorizerOptions = DEFAULT_VECTORIZER_OPTIONS): TfidfVectorizer {
    const df = new Map<string, number>();
    for (const text of texts) {
      const { words, chars } = extractTerms(text, options);
      for (const term of words.keys()) df.set(term, (df.get(term) ?? 0) + 1);
      for (const gram of chars.keys()) df.set(CHAR + gram, (df.get(CHAR + gram) ?? 0) + 1);
    }
    // Sorted so the same data always yields the same feature order (deterministic models).
    const terms = [...df.entries()]
      .filter(([, d]) => d >= options.minDf)
      .map(([t]) => t)
      .sort();
    const n = texts.length;
    const idf = terms.map((t) => Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1);
    return TfidfVectorizer.build(options, terms, idf);
  }

  static fromJSON(json: VectorizerJSON): TfidfVectorizer {
    return TfidfVectorizer.build(json.options, json.terms, json.idf);
  }

  private static build(options: VectorizerOptions, terms: string[], idf: readonly number[]): TfidfVectorizer {
    const vocab = new Map<string, number>();
    const charVocab = new Map<string, number>();
    const isChar = new Uint8Array(terms.length);
    terms.forEach((t, i) => {
      if (t.startsWith(CHAR)) {
        charVocab.set(t.slice(CHAR.length), i);
        isChar[i] = 1;
      } else {
        vocab.set(t, i);
      }
    });
    return new TfidfVectorizer(options, vocab, charVocab, terms, Float32Array.from(idf), isChar);
  }

  toJSON(): VectorizerJSON {
    return { options: this.options, terms: this.terms, idf: Array.from(this.idf, (v) => Math.round(v * 1e5) / 1e5) };
  }

  transform(text: string, tokens?: readonly string[]): SparseVector {
    const { words, chars } = extractTerms(text, this.options, tokens);
    const idx: number[] = [];
    const raw: number[] = [];
    let normW = 0;
    let normC = 0;
    const sublinear = this.options.sublinearTf;
    for (const [term, count] of words) {
      const j = this.vocab.get(term);
      if (j === undefined) continue;
      const v = (sublinear ? 1 + Math.log(count) : count) * this.idf[j];
      idx.push(j);
      raw.push(v);
      normW += v * v;
    }
    for (const [gram, count] of chars) {
      const j = this.charVocab.get(gram);
      if (j === undefined) continue;
      const v = (sublinear ? 1 + Math.log(count) : count) * this.idf[j];
      idx.push(j);
      raw.push(v);
      normC += v * v;
    }
    const sw = normW > 0 ? 1 / Math.sqrt(normW) : 0;
    const sc = normC > 0 ? this.options.charWeight / Math.sqrt(normC) : 0;
    const outIdx = Int32Array.from(idx);
    const outVal = new Float32Array(idx.length);
    for (let k = 0; k < idx.length; k++) outVal[k] = raw[k] * (this.isChar[idx[k]] ? sc : sw);
    return { idx: outIdx, val: outVal };
  }
}
