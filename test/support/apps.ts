import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { KAFKA_BROKERS, mongoUri, waitFor } from './env';

const ROOT = resolve(__dirname, '../..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');

export type AppName = 'channel-web' | 'router' | 'ai-worker' | 'demo-connector';

export interface RunningApp {
  name: AppName;
  port: number;
  url: string;
  /** The internal port: /metrics and the health checks (libs/platform/src/admin-server.ts). */
  adminUrl: string;
  proc: ChildProcess;
  logs: string[];
  /** SIGTERM and wait (graceful drain), or SIGKILL for crash tests. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * A port for an app to listen on, below Linux's ephemeral range (32768–60999). A port the kernel
 * hands out for `listen(0)` lies inside that range, and between closing the probe and the app's
 * bind any outgoing connection (Kafka, the store, fetch) may take it as its local port: the app
 * then fails with EADDRINUSE (seen in CI). Ports below the range are never taken by outgoing
 * connections; the probe still checks no listener holds it, and a port is handed out once per process.
 */
const handedOut = new Set<number>();
const PORTS = { from: 20_000, to: 32_000 };

function canListen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    // No host: the dual-stack wildcard conflicts with any listener on the port, whatever its address.
    srv.listen(port, () => srv.close(() => res(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PORTS.from + Math.floor(Math.random() * (PORTS.to - PORTS.from));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port in ${PORTS.from}–${PORTS.to} after 200 tries`);
}

/**
 * Starts a built app (`dist/apps/<name>/main.js`, what a container runs) and waits until ready.
 * `dist` names another build of it (the bench compares a baseline build with this checkout's).
 */
export async function startApp(name: AppName, env: Record<string, string>, dist = resolve(ROOT, 'dist')): Promise<RunningApp> {
  const prefix = name.toUpperCase().replace(/-/g, '_');
  // A port given in `env` is kept (two regions' routers must know each other's address before they start).
  const port = env[`${prefix}_PORT`] ? Number(env[`${prefix}_PORT`]) : await freePort();
  const adminPort = await freePort();
  // OMNI_APP_NODE_ARGS: extra node flags for every started app, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
  // to profile the apps under the bench (node refuses --cpu-prof in NODE_OPTIONS).
  const extra = (process.env.OMNI_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(NODE, ['--enable-source-maps', ...extra, resolve(dist, 'apps', name, 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, OMNI_PROFILE: 'test', LOG_LEVEL: 'warn', [`${prefix}_PORT`]: String(port), [`${prefix}_ADMIN_PORT`]: String(adminPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (b: Buffer) => {
    logs.push(b.toString());
    if (logs.length > 500) logs.shift();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  // Never leave an app behind, even when Jest is forced to exit after a failed hook.
  const reap = () => proc.exitCode === null && proc.kill('SIGKILL');
  process.once('exit', reap);
  void exited.then(() => process.removeListener('exit', reap));
  const url = `http://127.0.0.1:${port}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    await waitFor(`${name} ready`, async () => {
      if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}:\n${logs.join('').slice(-3000)}`);
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      return res.ok;
    }, 60_000, 200);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n--- ${name} logs ---\n${logs.join('').slice(-4000)}`, { cause: err });
  }
  return {
    name, port, url, adminUrl, proc, logs,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export interface StackOptions {
  prefix: string;
  db: string;
  extraEnv?: Record<string, string>;
}

/** Env shared by the apps of one suite: its own topic prefix and database. */
export function stackEnv(o: StackOptions): Record<string, string> {
  return { KAFKA_BROKERS, MONGODB_URI: mongoUri(o.db), KAFKA_TOPIC_PREFIX: `${o.prefix}.`, ...(o.extraEnv ?? {}) };
}

export async function startStack(o: StackOptions, apps: AppName[] = ['router', 'ai-worker', 'channel-web']): Promise<Record<AppName, RunningApp>> {
  const env = stackEnv(o);
  const started = await Promise.all(apps.map((a) => startApp(a, { ...env, INSTANCE_ID: `${a}-1` })));
  return Object.fromEntries(started.map((s) => [s.name, s])) as Record<AppName, RunningApp>;
}
