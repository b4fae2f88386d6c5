import { isMainThread } from 'node:worker_threads';
import { z } from 'zod';
import { rootLogger } from '@omni/telemetry';
import { KafkaEnvShape, kafkaEnvIssues } from '@omni/messaging';

/** Profiles that may fill harmless defaults (never production). */
const DEFAULTING_PROFILES = new Set(['demo', 'test']);

export const InfraEnvSchema = z.object({
  /** Brokers, topic settings, TLS and SASL (libs/messaging: the one place Kafka clients are built). */
  ...KafkaEnvShape,
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI').default('mongodb://127.0.0.1:27017/omni'),
  REGION: z.string().min(1).default('local'),
  TENANT_ID: z.string().min(1).default('default'),
});

export class ConfigError extends Error {}

/**
 * Validates the environment at boot and fails fast with every problem listed. Under the local demo
 * profile (OMNI_PROFILE=demo, set by `npm run up`) `demoDefaults` fill what is missing, and the
 * filled names are printed (an env value always wins). Secrets are never printed.
 */
export function loadConfig<S extends z.ZodObject>(
  app: string,
  schema: S,
  demoDefaults: Partial<Record<keyof z.input<S> & string, string>> = {},
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const profile = env.OMNI_PROFILE ?? 'production';
  const source: Record<string, string | undefined> = { ...env };
  const filled: string[] = [];
  if (DEFAULTING_PROFILES.has(profile)) {
    for (const [k, v] of Object.entries(demoDefaults) as [string, string][]) {
      if (source[k] === undefined || source[k] === '') {
        source[k] = v;
        filled.push(k);
      }
    }
  }
  const parsed = schema.safeParse(source);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  // Every app that talks to Kafka (its schema has KAFKA_BROKERS) gets the Kafka variables checked in
  // full, rules across them included (TLS files, SASL credentials); messages name variables, not values.
  if ('KAFKA_BROKERS' in schema.shape) {
    for (const k of kafkaEnvIssues(source)) if (!issues.some((i) => i.path === k.path && i.message === k.message)) issues.push(k);
  }
  if (!parsed.success || issues.length) {
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`);
    throw new ConfigError(`${app}: invalid configuration (profile ${profile}):\n${lines.join('\n')}`);
  }
  // Said once per process: a worker thread (the AI worker's model training) loads the same bundle.
  if (filled.length && isMainThread) {
    rootLogger().warn({ app, profile, defaults: filled }, `profile ${profile}: filled demo defaults for ${filled.join(', ')}`);
  }
  return parsed.data;
}

/** The listening port: <APP>_PORT, then PORT, then the documented default. */
export function portFor(app: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const key = `${app.toUpperCase().replace(/-/g, '_')}_PORT`;
  // An empty value (a blank Helm/compose entry) is unset, as in loadConfig: Number('') would be 0, a random port.
  const set = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);
  const raw = set(env[key]) ?? set(env.PORT);
  const port = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${key}/PORT must be a port number, got ${raw}`);
  return port;
}
