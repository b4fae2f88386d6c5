import { randomBytes } from 'node:crypto';

/** Infrastructure of the test run (scripts/test.mjs starts a private Kafka + FerretDB). */
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const MONGO_BASE = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A database of its own per suite, on the run's server. */
export function mongoUri(db: string): string {
  const u = new URL(MONGO_BASE);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
