import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../../test/support/apps';

export const ROOT = resolve(__dirname, '../..');
export const NODE = resolve(ROOT, 'node_modules/.bin/node');

/** Runs a command to completion; output is kept and shown only when it fails (unless `show`). */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, show = false): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', show ? 'inherit' : 'pipe', show ? 'inherit' : 'pipe'] });
    const out: string[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => out.push(b.toString()));
    child.once('error', rej);
    child.once('exit', (code, signal) =>
      code === 0 ? res() : rej(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}\n${out.join('').slice(-3000)}`)),
    );
  });
}

export interface Infra {
  brokers: string;
  mongoUri: string;
  /** What runs privately for this benchmark (empty when both were given). */
  privateParts: string[];
  /** The private servers' root processes (read from their pid files; absent when external or gone). */
  pids(): { kafka?: number; ferretdb?: number; postgres?: number };
  down(): Promise<void>;
}

function pidFrom(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0].trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A private Kafka + FerretDB (on its PostgreSQL unless FERRETDB_HANDLER=sqlite) on free ports with their own data dir (.local/bench), so a benchmark
 * never touches the dev or test stack. KAFKA_BROKERS / MONGODB_URI, when given, replace the
 * corresponding part (deploy/local/infra.sh skips what is external).
 */
export async function startInfra(): Promise<Infra> {
  const data = resolve(ROOT, '.local', 'bench');
  rmSync(data, { recursive: true, force: true });
  const [kafka, controller, ferret, postgres] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMNI_DATA: data,
    KAFKA_PORT: String(kafka),
    KAFKA_CONTROLLER_PORT: String(controller),
    FERRETDB_PORT: String(ferret),
    POSTGRES_PORT: String(postgres),
  };
  const privateParts = [
    ...(process.env.KAFKA_BROKERS ? [] : [`Kafka 127.0.0.1:${kafka}`]),
    ...(process.env.MONGODB_URI ? [] : [`FerretDB 127.0.0.1:${ferret}`]),
  ];
  let started = false;
  const down = async () => {
    if (!started) return;
    started = false;
    await run('bash', ['deploy/local/infra.sh', 'down'], env);
  };
  started = true;
  try {
    await run('bash', ['deploy/local/infra.sh', 'up'], env, true);
  } catch (err) {
    await down().catch(() => undefined);
    throw err;
  }
  return {
    brokers: process.env.KAFKA_BROKERS ?? `127.0.0.1:${kafka}`,
    mongoUri: process.env.MONGODB_URI ?? `mongodb://127.0.0.1:${ferret}/omni-bench`,
    privateParts,
    pids: () => ({
      ...(process.env.KAFKA_BROKERS ? {} : { kafka: pidFrom(resolve(data, 'kafka', 'kafka.pid')) }),
      ...(process.env.MONGODB_URI ? {} : {
        ferretdb: pidFrom(resolve(data, 'ferretdb', 'ferretdb.pid')),
        postgres: pidFrom(resolve(data, 'postgres', 'data', 'postmaster.pid')),
      }),
    }),
    down,
  };
}

/** Builds only the measured apps, so an app another engineer is half-way through cannot break a run. */
export async function buildApps(apps: string[]): Promise<void> {
  const names = apps.flatMap((a) => ['--config-name', a]);
  // The AI worker's bundle copies the NLU word vectors, which are built on first use (scripts/lib.mjs).
  await run(NODE, ['--input-type=module', '-e', "import { ensureNluData } from './scripts/lib.mjs'; ensureNluData();"]);
  return run(NODE, [resolve(ROOT, 'node_modules/.bin/webpack'), '--config', 'webpack.config.js', ...names]);
}

/** The same server with a database of the run's own. */
export function withDatabase(uri: string, db: string): string {
  const u = new URL(uri);
  u.pathname = `/${db}`;
  return u.toString();
}
