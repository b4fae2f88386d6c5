import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { KnowledgeBase, LabelledExample, loadExamples, loadKnowledgeBase } from '@omni/nlu';

/**
 * Where the demo tenant's files are: NLU_DEMO_DIR, else next to the built main.js (webpack copies
 * libs/nlu/data/demo-tenant to dist/apps/ai-worker/nlu/demo-tenant), else the repo's copy (tests, tsx).
 */
export function demoTenantDir(configured: string | undefined, here = __dirname, cwd = process.cwd()): string {
  const candidates = configured ? [configured] : [path.resolve(here, 'nlu/demo-tenant'), path.resolve(cwd, 'libs/nlu/data/demo-tenant')];
  const found = candidates.find((d) => existsSync(path.join(d, 'train.jsonl')) && existsSync(path.join(d, 'kb.json')));
  if (!found) throw new Error(`demo tenant data not found (train.jsonl and kb.json) in: ${candidates.join(', ')}`);
  return found;
}

export interface DemoTenantData {
  readonly examples: LabelledExample[];
  readonly kb: KnowledgeBase;
}

export function loadDemoTenant(dir: string): DemoTenantData {
  return { examples: loadExamples(path.join(dir, 'train.jsonl')), kb: loadKnowledgeBase(path.join(dir, 'kb.json')) };
}

/** The demo shop's options: German default country for national phone numbers, the lib's order patterns. */
export const DEMO_OPTIONS = { defaultCountry: 'DE' } as const;
