#!/usr/bin/env node
// `npm run up`: the whole gateway on its embedded default — local Kafka (KRaft) + FerretDB (on a local PostgreSQL) unless
// KAFKA_BROKERS / MONGODB_URI point elsewhere, every app built and started, URLs printed.
// Ctrl-C (or `npm run down` from another terminal) stops everything cleanly.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS, NODE, ROOT, ensureDependencies, reexecUnderPinnedNode, run, say, waitReady, warn } from './lib.mjs';

ensureDependencies();
if (!reexecUnderPinnedNode(fileURLToPath(import.meta.url))) await main();

async function main() {
  const profile = process.env.OMNI_PROFILE ?? 'demo';
  const dataDir = resolve(ROOT, '.local', 'dev');
  const logDir = resolve(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const infraEnv = { ...process.env, OMNI_DATA: resolve(ROOT, '.local', 'dev') };

  say(`starting local infrastructure (Kafka + FerretDB${process.env.FERRETDB_HANDLER === 'sqlite' ? '' : ' on PostgreSQL'})…`);
  run('bash', ['deploy/local/infra.sh', 'up'], { env: infraEnv });
  say('building apps…');
  run(NODE, ['node_modules/.bin/webpack', '--config', 'webpack.config.js']);

  const children = [];
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    say('stopping apps…');
    for (const c of children) c.proc.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.proc.exitCode !== null ? r() : c.proc.once('exit', r)))));
    rmSync(resolve(dataDir, 'apps.pid'), { force: true });
    say('stopping local infrastructure…');
    try { run('bash', ['deploy/local/infra.sh', 'down'], { env: infraEnv }); } catch (err) { warn(err.message); }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  for (const app of APPS) {
    const log = createWriteStream(resolve(logDir, `${app.name}.log`), { flags: 'a' });
    const proc = spawn(NODE, ['--enable-source-maps', `dist/apps/${app.name}/main.js`], {
      cwd: ROOT,
      env: { ...process.env, OMNI_PROFILE: profile, [`${app.name.toUpperCase().replace(/-/g, '_')}_PORT`]: process.env[`${app.name.toUpperCase().replace(/-/g, '_')}_PORT`] ?? String(app.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout.pipe(log);
    proc.stderr.pipe(log);
    proc.on('exit', (code, signal) => {
      if (!stopping) {
        warn(`${app.name} exited (${code ?? signal}); see ${resolve(logDir, app.name + '.log')}`);
        void stop(1);
      }
    });
    children.push({ app, proc });
  }
  writeFileSync(resolve(dataDir, 'apps.pid'), children.map((c) => c.proc.pid).join('\n'));

  for (const { app, proc } of children) {
    const ok = await waitReady(`http://127.0.0.1:${app.port}/health/ready`, 90_000, () => proc.exitCode === null);
    if (!ok) {
      warn(`${app.name} did not become ready; see ${resolve(logDir, app.name + '.log')}`);
      return stop(1);
    }
    say(`${app.name.padEnd(12)} ready  http://localhost:${app.port}  (health /health/ready, metrics /metrics)`);
  }
  say('');
  say('Demo page with the chat widget:  http://localhost:3000/   (say "hello", or "where is my order ORD-12345?")');
  say(`Logs: ${logDir}    Stop: Ctrl-C or npm run down`);
}
