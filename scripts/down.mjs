#!/usr/bin/env node
// `npm run down`: stops what `npm run up` started (apps, then local Kafka, FerretDB and PostgreSQL).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT, run, say, wait } from './lib.mjs';

const pidFile = resolve(ROOT, '.local', 'dev', 'apps.pid');
if (existsSync(pidFile)) {
  const pids = readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  for (let i = 0; i < 60 && pids.some((p) => { try { process.kill(p, 0); return true; } catch { return false; } }); i++) await wait(250);
  rmSync(pidFile, { force: true });
  say('apps stopped');
}
run('bash', ['deploy/local/infra.sh', 'down'], { env: { ...process.env, OMNI_DATA: resolve(ROOT, '.local', 'dev') } });
