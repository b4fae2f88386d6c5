#!/usr/bin/env node
// The agents' workspace bundle size budget (ADR 0700), run by `npm test`'s static checks: builds the
// bundle with Vite and fails when its JavaScript or CSS, gzipped, exceeds the budget.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');
const BUDGET = { js: 30 * 1024, css: 10 * 1024 };
const out = resolve(ROOT, 'dist/workspace-web/assets');

const r = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/workspace/vite.config.mts'], { cwd: ROOT, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

let failed = false;
for (const [ext, budget] of Object.entries(BUDGET)) {
  const files = readdirSync(out).filter((f) => f.endsWith(`.${ext}`));
  const size = files.reduce((n, f) => n + gzipSync(readFileSync(resolve(out, f))).length, 0);
  const line = `workspace bundle ${ext}: ${(size / 1024).toFixed(1)} kB gzipped (budget ${(budget / 1024).toFixed(0)} kB, ${files.length} files)`;
  if (size > budget || files.length === 0) {
    failed = true;
    process.stderr.write(`${line} — over budget\n`);
  } else process.stdout.write(`${line}\n`);
}
process.exit(failed ? 1 : 0);
