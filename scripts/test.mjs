#!/usr/bin/env node
// `npm test` (and CI): static checks and unit tests, then a private Kafka + FerretDB (+ PostgreSQL) on test ports
// (unless KAFKA_BROKERS and MONGODB_URI are given), the apps built, integration and end-to-end
// suites, and teardown whatever happened. Ends with one line "tests: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE, ROOT, ensureDependencies, ensureNluData, reexecUnderPinnedNode, run, say, warn } from './lib.mjs';

ensureDependencies();
if (!reexecUnderPinnedNode(fileURLToPath(import.meta.url))) main();

function main() {
  ensureNluData();
  const dataDir = resolve(ROOT, '.local', 'test');
  const reports = resolve(dataDir, 'reports');
  const external = Boolean(process.env.KAFKA_BROKERS && process.env.MONGODB_URI);
  // Overridable so that two checkouts on one machine can run their suites side by side.
  const ports = {
    KAFKA_PORT: process.env.OMNI_TEST_KAFKA_PORT ?? '19092',
    KAFKA_CONTROLLER_PORT: process.env.OMNI_TEST_KAFKA_CONTROLLER_PORT ?? '19093',
    FERRETDB_PORT: process.env.OMNI_TEST_FERRETDB_PORT ?? '37017',
    POSTGRES_PORT: process.env.OMNI_TEST_POSTGRES_PORT ?? '35432',
  };
  const infraEnv = { ...process.env, OMNI_DATA: dataDir, ...ports };
  const testEnv = {
    ...process.env,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? `127.0.0.1:${ports.KAFKA_PORT}`,
    MONGODB_URI: process.env.MONGODB_URI ?? `mongodb://127.0.0.1:${ports.FERRETDB_PORT}/omni-test`,
    OMNI_PROFILE: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const bin = (name) => resolve(ROOT, 'node_modules/.bin', name);
  const only = process.argv.slice(2); // e.g. `npm test -- unit` or `npm test -- int e2e`
  const want = (layer) => !only.length || only.includes(layer);

  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(reports, { recursive: true });
  const results = [];
  // `OMNI_TEST_PATTERN=abuse` (npm run abuse): only the suites whose path matches, in the chosen layers.
  const pattern = process.env.OMNI_TEST_PATTERN ? ['--testPathPatterns', process.env.OMNI_TEST_PATTERN] : [];
  const jest = (project, extra = []) => {
    const out = resolve(reports, `${project}.json`);
    // NestJS 12 ships ES modules: Jest loads them through Node's VM modules (require(esm)).
    const r = spawnSync(NODE, ['--experimental-vm-modules', '--no-warnings', bin('jest'), '--ci', '--selectProjects', project, '--json', `--outputFile=${out}`, ...pattern, ...extra], {
      cwd: ROOT, stdio: 'inherit', env: testEnv,
    });
    if (existsSync(out)) results.push(JSON.parse(readFileSync(out, 'utf8')));
    else results.push({ numPassedTests: 0, numFailedTests: 1, numPendingTests: 0 });
    return r.status === 0;
  };

  let ok = true;
  let infraUp = false;
  try {
    if (want('check')) {
      say('static checks: lockfile in sync, lint, typecheck, AsyncAPI freshness, Helm chart');
      // `npm ci` on a fresh machine refuses a lockfile that lacks other platforms' optional packages.
      run('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: ['ignore', 'ignore', 'inherit'] });
      run(NODE, [bin('eslint'), '.', '--max-warnings', '0']);
      run(NODE, [bin('tsc'), '--noEmit', '-p', 'tsconfig.json']);
      run(NODE, [bin('tsc'), '--noEmit', '-p', 'apps/workspace/web/tsconfig.json']);
      run(NODE, [bin('tsx'), 'scripts/asyncapi.ts', '--check']);
      run(NODE, ['deploy/helm/check.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
      // The workspace's browser bundle within its size budget (ADR 0700).
      run(NODE, ['scripts/workspace-budget.mjs']);
    }
    if (want('unit')) ok = jest('unit') && ok;
    if (want('int') || want('e2e')) {
      if (!external) {
        const store = process.env.FERRETDB_HANDLER === 'sqlite' ? 'SQLite' : `PostgreSQL :${ports.POSTGRES_PORT}`;
        say(`starting test infrastructure (Kafka :${ports.KAFKA_PORT}, FerretDB :${ports.FERRETDB_PORT} on ${store})`);
        infraUp = true;
        run('bash', ['deploy/local/infra.sh', 'up'], { env: infraEnv });
      }
      ensureChromium();
      say('building apps');
      run(NODE, [bin('webpack'), '--config', 'webpack.config.js']);
      if (want('int')) ok = jest('int', ['--runInBand', '--forceExit']) && ok;
      if (want('e2e')) ok = jest('e2e', ['--runInBand', '--forceExit']) && ok;
    }
  } catch (err) {
    warn(err.message);
    ok = false;
  } finally {
    if (infraUp) {
      try { run('bash', ['deploy/local/infra.sh', 'down'], { env: infraEnv }); } catch (err) { warn(err.message); }
    }
  }
  const sum = (k) => results.reduce((n, r) => n + (r[k] ?? 0), 0);
  // A crashed suite or a failed step counts as a failure even when no single test failed.
  const failedTests = sum('numFailedTests') + sum('numRuntimeErrorTestSuites');
  const failed = failedTests || (ok ? 0 : 1);
  process.stdout.write(`tests: ${sum('numPassedTests')} passed, ${failed} failed\n`);
  process.exit(ok && failed === 0 ? 0 : 1);
}

/**
 * Debian's Chromium for the browser suites (playwright-core drives it; no browser download): installed
 * once when missing and this runs as root with apt, like PostgreSQL (deploy/local/postgres.sh); else
 * the suites that need it fail with the path they looked for, and this says how to get it.
 */
function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return;
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) {
    warn(`no Chromium at ${path}: the browser suites will fail (install Debian's 'chromium' once, or set CHROMIUM_PATH)`);
    return;
  }
  say('installing Chromium from Debian (first time only)');
  try {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    warn(`Chromium not installed (${err.message}): the browser suites will fail`);
  }
}
