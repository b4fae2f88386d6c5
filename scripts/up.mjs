#!/usr/bin/env node
// `npm run up`: the whole gateway on its embedded default — local Kafka (KRaft) + FerretDB (on a local PostgreSQL) unless
// KAFKA_BROKERS / MONGODB_URI point elsewhere, every app built and started, URLs printed.
// An app that dies (crash, kill -9) is restarted alone with a backoff of 1 s doubling to 30 s
// (scripts/supervisor.js); the others keep running.
// Ctrl-C, SIGTERM (or `npm run down` from another terminal) stops everything cleanly.
// `npm run up -- --regions 2`: two local regions and MirrorMaker 2 between them (scripts/regions.mjs, ADR 0300).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS, NODE, ROOT, ensureDependencies, ensureNluData, reexecUnderPinnedNode, run, say, waitReady, warn } from './lib.mjs';
import supervisor from './supervisor.js';
import { mirrorMakerEnv, parseRegions, regionInfraEnv, regionSpec } from './regions.mjs';

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
  const regionCount = parseRegions(process.argv.slice(2));
  // One region: exactly today's stack (its infra skipped where KAFKA_BROKERS / MONGODB_URI point elsewhere).
  const regions = regionCount === 1
    ? [{ name: undefined, apps: APPS, appEnv: {}, infraEnv: { ...process.env, OMNI_DATA: resolve(ROOT, '.local', 'dev') } }]
    : [0, 1].map((i) => { const spec = regionSpec(i); return { ...spec, infraEnv: regionInfraEnv(spec) }; });
  const infraEnv = regions[0].infraEnv;
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
    if (regionCount > 1) {
      for (const r of regions) {
        try { run('bash', ['deploy/local/mirror-maker.sh', 'stop'], { env: mirrorMakerEnv(r.index) }); } catch (err) { warn(err.message); }
      }
    }
    for (const r of regions) {
      try { run('bash', ['deploy/local/infra.sh', 'down'], { env: r.infraEnv }); } catch (err) { warn(err.message); }
    }
    rmSync(upPidFile, { force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    say(`starting local infrastructure (Kafka + FerretDB${process.env.FERRETDB_HANDLER === 'sqlite' ? '' : ' on PostgreSQL'})${regionCount > 1 ? ' for local-a and local-b' : ''}…`);
    if (regionCount === 1) run('bash', ['deploy/local/infra.sh', 'up'], { env: infraEnv });
    else {
      await Promise.all(regions.map((r) => runAsync('bash', ['deploy/local/infra.sh', 'up'], r.infraEnv)));
      say('starting MirrorMaker 2 in each region (the flows into it from its peer)…');
      await Promise.all(regions.map((r) => runAsync('bash', ['deploy/local/mirror-maker.sh', 'start'], mirrorMakerEnv(r.index))));
    }
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
    // Each region's app pids (npm run drill kills local-a's apps by them).
    if (!stopping && regionCount > 1) {
      const byRegion = Object.fromEntries(regions.map((r) => [r.name, children.filter((c) => c.sup && c.region === r).map((c) => c.sup.proc.pid).filter(Boolean)]));
      writeFileSync(resolve(dataDir, 'regions.json'), JSON.stringify(byRegion));
    }
  };
  for (const region of regions) for (const app of region.apps) {
    const portVar = `${app.name.toUpperCase().replace(/-/g, '_')}_PORT`;
    const port = region.name ? String(app.port) : process.env[portVar] ?? String(app.port);
    const label = region.name ? `${region.name}/${app.name}` : app.name;
    const logPath = resolve(logDir, region.name ? `${region.name}-${app.name}.log` : `${app.name}.log`);
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = { app, port, logPath, label, region };
    child.sup = supervisor.supervise({
      start: () => {
        const proc = spawn(NODE, ['--enable-source-maps', `dist/apps/${app.name}/main.js`], {
          cwd: ROOT,
          env: {
            ...process.env, OMNI_PROFILE: profile, ...region.appEnv, [portVar]: port,
            // The workspace proxies /api to this stack's router (ADR 0700).
            ...(app.name === 'workspace' && !process.env.WORKSPACE_ROUTER_URL ? { WORKSPACE_ROUTER_URL: `http://127.0.0.1:${region.appEnv?.ROUTER_PORT ?? process.env.ROUTER_PORT ?? 3010}` } : {}),
            // …and /ai to its AI worker (the supervisors' NLU report).
            ...(app.name === 'workspace' && !process.env.WORKSPACE_AI_WORKER_URL ? { WORKSPACE_AI_WORKER_URL: `http://127.0.0.1:${region.appEnv?.AI_WORKER_PORT ?? process.env.AI_WORKER_PORT ?? 3020}` } : {}),
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
        say(`${label} restarted (restart ${restarts}, pid ${proc.pid})`);
        void waitReady(`http://127.0.0.1:${port}/health/ready`, 90_000, () => !stopping && proc.exitCode === null && proc.signalCode === null)
          .then((ok) => ok && !stopping && say(`${label.padEnd(12)} ready again  http://localhost:${port}`));
      },
      onExit: ({ code, signal, uptimeMs, delayMs }) => {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        warn(`${label} died (${how}) after ${Math.round(uptimeMs / 1000)} s up; restarting in ${delayMs / 1000} s. Log: ${logPath}`);
      },
      onError: (err) => warn(`${label}: ${err.message}`),
    });
    children.push(child);
  }
  writePids();

  for (const { app, port, logPath, sup, label, region } of children) {
    // Restarts during start-up count against the same 90 s.
    // Two regions start twice the processes on the same cores: more time each.
    const ok = await waitReady(`http://127.0.0.1:${port}/health/ready`, regionCount > 1 ? 300_000 : 90_000, () => !stopping);
    if (stopping) return;
    if (!ok) {
      warn(`${label} did not become ready in ${regionCount > 1 ? 300 : 90} s (${sup.restarts} restarts); see ${logPath}`);
      return stop(1);
    }
    // /metrics is on the admin port (<APP>_ADMIN_PORT, then ADMIN_PORT, then the port + 6000; loopback), not the public one.
    const adminVar = `${app.name.toUpperCase().replace(/-/g, '_')}_ADMIN_PORT`;
    const adminPort = region.appEnv[adminVar] || process.env[adminVar] || process.env.ADMIN_PORT || String(app.port + 6000);
    const ops = app.name === 'demo-connector' ? '' : `  (health /health/ready, metrics http://127.0.0.1:${adminPort}/metrics)`;
    say(`${label.padEnd(12)} ready  http://localhost:${port}${ops}`);
  }
  if (regionCount > 1) say('Regions: demo tenant homed in local-a (ports above), standby local-b (+100), MirrorMaker 2 between them; failover: POST /v1/tenants/default/failover {"to":"local-b"}');
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

/** Like run(), without blocking: two regions' infrastructure starts side by side. */
function runAsync(cmd, args, env) {
  return new Promise((resolveRun, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env, stdio: 'inherit' });
    p.on('error', reject);
    p.on('exit', (code, signal) => (code === 0 ? resolveRun() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}`))));
  });
}
