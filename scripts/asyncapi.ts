// Writes docs/asyncapi.yaml from libs/contracts; `--check` exits 1 when the committed file is stale.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncApiYaml } from '@omni/contracts';

const root = resolve(__dirname, '..');
const file = resolve(root, 'docs/asyncapi.yaml');
const version = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }).version;
const yaml = asyncApiYaml(version);

if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(file, 'utf8'); } catch { /* missing counts as stale */ }
  if (current !== yaml) {
    console.error('docs/asyncapi.yaml is stale: run `npm run asyncapi` and commit it.');
    process.exit(1);
  }
  console.log('docs/asyncapi.yaml is up to date');
} else {
  mkdirSync(resolve(root, 'docs'), { recursive: true });
  writeFileSync(file, yaml);
  console.log(`wrote ${file}`);
}
