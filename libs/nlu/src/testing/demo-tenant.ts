/** Test helpers: the demo tenant's files and one shared trained engine per test file. */
import * as path from 'node:path';
import { loadExamples, loadKnowledgeBase } from '../data';
import { NluEngine } from '../engine';

export const DEMO_DIR = path.resolve(__dirname, '../../data/demo-tenant');
export const DEMO_LANGUAGES = ['en', 'es', 'pt', 'fr', 'de', 'ar', 'th', 'id', 'vi', 'zh'] as const;

export function demoTrain() {
  return loadExamples(path.join(DEMO_DIR, 'train.jsonl'));
}
export function demoTest() {
  return loadExamples(path.join(DEMO_DIR, 'test.jsonl'));
}
export function demoKb() {
  return loadKnowledgeBase(path.join(DEMO_DIR, 'kb.json'));
}

let cached: NluEngine | undefined;
/** Trained once per test file (a few seconds), deterministic (seeded). */
export function demoEngine(): NluEngine {
  cached ??= NluEngine.train(demoTrain(), demoKb(), { defaultCountry: 'DE' });
  return cached;
}
