// Shared by up/down/test: run commands, make sure dependencies are installed, find the pinned Node.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
