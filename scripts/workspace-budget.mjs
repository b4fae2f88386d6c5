#!/usr/bin/env node
// The agents' workspace bundle size budget (ADR 0700), run by `npm test`'s static checks: builds the
// bundle with Vite and fails when its JavaScript or CSS, gzipped, exceeds the budget. The first screen
// (what index.html loads) has its budget; chunks loaded on demand (the reports with uPlot) have theirs.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');
const BUDGET = { js: 30 * 1024, css: 10 * 1024 };
const LAZY_BUDGET = { js: 40 * 1024, css: 5 * 1024 };
const web = resolve(ROOT, 'dist/workspace-web');
const out = resolve(web, 'assets');

const r = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/workspace/vite.config.mts'], { cwd: ROOT, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

let failed = false;
const html = readFileSync(resolve(web, 'index.html'), 'utf8');
const first = (f) => html.includes(`assets/${f}`);
const gz = (files) => files.reduce((n, f) => n + gzipSync(readFileSync(resolve(out, f))).length, 0);
for (const [ext, budget] of Object.entries(BUDGET)) {
  const all = readdirSync(out).filter((f) => f.endsWith(`.${ext}`));
  for (const [what, files, limit] of [['first screen', all.filter(first), budget], ['on demand', all.filter((f) => !first(f)), LAZY_BUDGET[ext]]]) {
    const size = gz(files);
    const line = `workspace bundle ${ext}, ${what}: ${(size / 1024).toFixed(1)} kB gzipped (budget ${(limit / 1024).toFixed(0)} kB, ${files.length} files)`;
    if (size > limit || (what === 'first screen' && files.length === 0)) {
      failed = true;
      process.stderr.write(`${line} — over budget\n`);
    } else process.stdout.write(`${line}\n`);
  }
}
process.exit(failed ? 1 : 0);
