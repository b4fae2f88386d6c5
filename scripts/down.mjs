#!/usr/bin/env node
// `npm run down`: stops what `npm run up` started (apps, then local Kafka, FerretDB and PostgreSQL).
// A running `npm run up` (.local/dev/up.pid) is asked to stop first, so that it does not restart the
// apps it supervises; the apps' pids (.local/dev/apps.pid) are then stopped in case it was killed.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT, run, say, wait } from './lib.mjs';
import { mirrorMakerEnv, regionInfraEnv, regionSpec } from './regions.mjs';

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const readPids = (file) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []);

const upPidFile = resolve(ROOT, '.local', 'dev', 'up.pid');
const [upPid] = readPids(upPidFile);
if (upPid && alive(upPid)) {
  say(`stopping npm run up (pid ${upPid})…`);
  process.kill(upPid, 'SIGTERM');
  // It stops the apps (up to 15 s each, in parallel) and the local infrastructure (up to 30 s each).
  for (let i = 0; i < 480 && alive(upPid); i++) await wait(250);
}
rmSync(upPidFile, { force: true });

const pidFile = resolve(ROOT, '.local', 'dev', 'apps.pid');
if (existsSync(pidFile)) {
  const pids = readPids(pidFile);
  for (const pid of pids) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  for (let i = 0; i < 60 && pids.some(alive); i++) await wait(250);
  rmSync(pidFile, { force: true });
  say('apps stopped');
}
// `npm run up -- --regions 2` (or `npm run drill`) also ran local-b and MirrorMaker 2: stopped when their data is there.
for (const i of [0, 1]) if (existsSync(resolve(regionSpec(i).dataDir, 'mirror-maker'))) run('bash', ['deploy/local/mirror-maker.sh', 'stop'], { env: mirrorMakerEnv(i) });
// The single MirrorMaker of earlier versions (both directions, data in .local/dev-mm2).
if (existsSync(resolve(ROOT, '.local', 'dev-mm2'))) run('bash', ['deploy/local/mirror-maker.sh', 'stop'], { env: { ...process.env, OMNI_DATA: resolve(ROOT, '.local', 'dev-mm2') } });
run('bash', ['deploy/local/infra.sh', 'down'], { env: { ...process.env, OMNI_DATA: resolve(ROOT, '.local', 'dev') } });
if (existsSync(resolve(ROOT, '.local', 'dev-b'))) run('bash', ['deploy/local/infra.sh', 'down'], { env: regionInfraEnv(regionSpec(1)) });
