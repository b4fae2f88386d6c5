#!/usr/bin/env node
// `npm run up`: the whole gateway on its embedded default — local Kafka (KRaft) + FerretDB (on a local PostgreSQL) unless
// KAFKA_BROKERS / MONGODB_URI point elsewhere, every app built and started, URLs printed.
// An app that dies (crash, kill -9) is restarted alone with a backoff of 1 s doubling to 30 s
// (scripts/supervisor.js); the others keep running.
// Ctrl-C, SIGTERM (or `npm run down` from another terminal) stops everything cleanly.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS, NODE, ROOT, ensureDependencies, ensureNluData, reexecUnderPinnedNode, run, say, waitReady, warn } from './lib.mjs';
import supervisor from './supervisor.js';

ensureDependencies();
if (!reexecUnderPinnedNode(fileURLToPath(import.meta.url))) await main();

async function main() {
  ensureNluData();
  const profile = process.env.OMNI_PROFILE ?? 'demo';
  const dataDir = resolve(ROOT, '.local', 'dev');
  const logDir = resolve(dataDir, 'logs');
  const pidFile = resolve(dataDir, 'apps.pid');
  const upPidFile = resolve(dataDir, 'up.pid');
  mkdirSync(logDir, { recursive: true });
  const infraEnv = { ...process.env, OMNI_DATA: resolve(ROOT, '.local', 'dev') };
  // `npm run down` signals this process (up.pid) so that it stops the apps instead of restarting them.
  writeFileSync(upPidFile, String(process.pid));

  let stopping = false;
  const children = [];
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    say('stopping apps…');
    await Promise.all(children.map((c) => c.sup.stop('SIGTERM')));
    rmSync(pidFile, { force: true });
    say('stopping local infrastructure…');
    try { run('bash', ['deploy/local/infra.sh', 'down'], { env: infraEnv }); } catch (err) { warn(err.message); }
    rmSync(upPidFile, { force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    say(`starting local infrastructure (Kafka + FerretDB${process.env.FERRETDB_HANDLER === 'sqlite' ? '' : ' on PostgreSQL'})…`);
    run('bash', ['deploy/local/infra.sh', 'up'], { env: infraEnv });
    say('building apps…');
    run(NODE, ['node_modules/.bin/webpack', '--config', 'webpack.config.js']);
  } catch (err) {
    warn(err.message);
    return stop(1);
  }
  if (stopping) return;

  // Every app's pid, current after each restart: what `npm run down` falls back on.
  const writePids = () => {
    if (!stopping) writeFileSync(pidFile, children.filter((c) => c.sup).map((c) => c.sup.proc.pid).filter(Boolean).join('\n'));
  };
  for (const app of APPS) {
    const portVar = `${app.name.toUpperCase().replace(/-/g, '_')}_PORT`;
    const port = process.env[portVar] ?? String(app.port);
    const logPath = resolve(logDir, `${app.name}.log`);
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = { app, port, logPath };
    child.sup = supervisor.supervise({
      start: () => {
        const proc = spawn(NODE, ['--enable-source-maps', `dist/apps/${app.name}/main.js`], {
          cwd: ROOT,
          env: {
            ...process.env, OMNI_PROFILE: profile, [portVar]: port,
            // The workspace proxies /api to this stack's router (ADR 0700).
            ...(app.name === 'workspace' && !process.env.WORKSPACE_ROUTER_URL ? { WORKSPACE_ROUTER_URL: `http://127.0.0.1:${process.env.ROUTER_PORT ?? 3010}` } : {}),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        proc.stdout.pipe(log, { end: false });
        proc.stderr.pipe(log, { end: false });
        return proc;
      },
      onStart: (proc, restarts) => {
        writePids();
        if (restarts === 0) return;
        say(`${app.name} restarted (restart ${restarts}, pid ${proc.pid})`);
        void waitReady(`http://127.0.0.1:${port}/health/ready`, 90_000, () => !stopping && proc.exitCode === null && proc.signalCode === null)
          .then((ok) => ok && !stopping && say(`${app.name.padEnd(12)} ready again  http://localhost:${port}`));
      },
      onExit: ({ code, signal, uptimeMs, delayMs }) => {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        warn(`${app.name} died (${how}) after ${Math.round(uptimeMs / 1000)} s up; restarting in ${delayMs / 1000} s. Log: ${logPath}`);
      },
      onError: (err) => warn(`${app.name}: ${err.message}`),
    });
    children.push(child);
  }
  writePids();

  for (const { app, port, logPath, sup } of children) {
    // Restarts during start-up count against the same 90 s.
    const ok = await waitReady(`http://127.0.0.1:${port}/health/ready`, 90_000, () => !stopping);
    if (stopping) return;
    if (!ok) {
      warn(`${app.name} did not become ready in 90 s (${sup.restarts} restarts); see ${logPath}`);
      return stop(1);
    }
    // /metrics is on the admin port (<APP>_ADMIN_PORT, then ADMIN_PORT, then the port + 6000; loopback), not the public one.
    const adminVar = `${app.name.toUpperCase().replace(/-/g, '_')}_ADMIN_PORT`;
    const adminPort = process.env[adminVar] || process.env.ADMIN_PORT || String(app.port + 6000);
    const ops = app.name === 'demo-connector' ? '' : `  (health /health/ready, metrics http://127.0.0.1:${adminPort}/metrics)`;
    say(`${app.name.padEnd(12)} ready  http://localhost:${port}${ops}`);
  }
  const web = children.find((c) => c.app.name === 'channel-web');
  say('');
  if (web) say(`Demo page with the chat widget:  http://localhost:${web.port}/   (say "hello", or "where is my order ORD-12345?")`);
  const desk = children.find((c) => c.app.name === 'workspace');
  if (desk && profile === 'demo') {
    // The demo profile's published people (apps/router/src/people/demo-people.ts, ADR 0610); never outside it.
    say(`Agents' workspace:  http://localhost:${desk.port}/   company "default", password "omni-demo-password" for`);
    say('  agent@demo.local (agent), supervisor@demo.local (wallboard), admin@demo.local   — say "I want a human" in the widget to hand off');
  }
  say(`Logs: ${logDir}    Stop: Ctrl-C or npm run down    An app that dies is restarted (backoff 1 s → 30 s).`);
}
