import { accessSync, constants, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, KafkaConfig, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { rootLogger } from '@omni/telemetry';

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name; empty in production. Lets test suites share one cluster. */
  topicPrefix: string;
  partitions: number;
  replicationFactor: number;
  /** `min.insync.replicas` of every topic this app creates: with acks=all, how many replicas a write needs. */
  minInsyncReplicas: number;
  /** How long a silent consumer keeps its partitions; a crashed one's are reassigned after it. */
  sessionTimeoutMs: number;
  /** TLS to the brokers: true = system CAs; an object carries the PEM contents read from the KAFKA_SSL_* files. */
  ssl?: boolean | ConnectionOptions;
  /** SASL authentication (the password is a secret: never logged). */
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

/** Blank env entries (an empty Helm value) count as unset. */
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = z.string().min(1).optional();
const readableFile = z.string().refine((p) => {
  try {
    accessSync(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}, 'must be the path of a readable PEM file').optional();
const count = (fallback: number) => z.coerce.number().int().min(1).max(1_000).default(fallback);

/**
 * The Kafka variables every app reads, validated at boot (libs/platform's InfraEnvSchema spreads this
 * shape; kafkaSettingsFromEnv parses the same). Cross-variable rules are in kafkaEnvIssues.
 */
export const KafkaEnvShape = {
  KAFKA_BROKERS: z.string().min(1).default('localhost:9092'),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  KAFKA_PARTITIONS: z.preprocess(blank, count(3)),
  /** Replicas of each topic the apps create; production: 3. */
  KAFKA_REPLICATION_FACTOR: z.preprocess(blank, count(1)),
  /** `min.insync.replicas` of each topic the apps create; production: 2 (one broker may be down, writes still need two copies). */
  KAFKA_MIN_INSYNC_REPLICAS: z.preprocess(blank, count(1)),
  KAFKA_SESSION_TIMEOUT_MS: z.preprocess(blank, z.coerce.number().int().min(1_000).max(3_600_000).default(30_000)),
  /** TLS to the brokers (true/false). */
  KAFKA_SSL: z.preprocess(blank, z.enum(['true', 'false'], { message: 'must be true or false' }).default('false')),
  /** PEM of the CA(s) that signed the brokers' certificates; unset: the system CAs. */
  KAFKA_SSL_CA_FILE: z.preprocess(blank, readableFile),
  /** Client certificate and key (PEM) for mutual TLS; both or neither. */
  KAFKA_SSL_CERT_FILE: z.preprocess(blank, readableFile),
  KAFKA_SSL_KEY_FILE: z.preprocess(blank, readableFile),
  KAFKA_SASL_MECHANISM: z.preprocess(
    (v) => (typeof blank(v) === 'string' ? (v as string).trim().toLowerCase() : undefined),
    z.enum(['scram-sha-256', 'scram-sha-512', 'plain'], { message: 'must be scram-sha-256, scram-sha-512 or plain' }).optional(),
  ),
  KAFKA_SASL_USERNAME: z.preprocess(blank, text),
  /** Secret: from the Secret in Helm, never in values or logs. */
  KAFKA_SASL_PASSWORD: z.preprocess(blank, text),
};

const KafkaEnvSchema = z.object(KafkaEnvShape);
export type KafkaEnv = z.output<typeof KafkaEnvSchema>;

export interface KafkaEnvIssue {
  path: string;
  message: string;
}

/**
 * The problems of the Kafka variables in `raw` (a process environment): each variable's own rule,
 * and once those pass, the rules across them. Messages name the variables, never their values.
 */
export function kafkaEnvIssues(raw: Record<string, string | undefined>): KafkaEnvIssue[] {
  const parsed = KafkaEnvSchema.safeParse(raw);
  if (!parsed.success) return parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return crossIssues(parsed.data);
}

function crossIssues(env: KafkaEnv): KafkaEnvIssue[] {
  const issues: KafkaEnvIssue[] = [];
  if (env.KAFKA_SASL_MECHANISM) {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!env[name]) issues.push({ path: name, message: `required when KAFKA_SASL_MECHANISM is set (${env.KAFKA_SASL_MECHANISM})` });
    }
  } else if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
    issues.push({ path: 'KAFKA_SASL_MECHANISM', message: 'required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set (scram-sha-256, scram-sha-512 or plain)' });
  }
  if (Boolean(env.KAFKA_SSL_CERT_FILE) !== Boolean(env.KAFKA_SSL_KEY_FILE)) {
    issues.push({ path: env.KAFKA_SSL_CERT_FILE ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE', message: 'mutual TLS needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE' });
  }
  if (env.KAFKA_SSL !== 'true') {
    for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
      if (env[name]) issues.push({ path: name, message: 'set, but KAFKA_SSL is not true' });
    }
    if (env.KAFKA_SASL_MECHANISM === 'plain') {
      issues.push({ path: 'KAFKA_SASL_MECHANISM', message: 'plain sends the password in clear text: needs KAFKA_SSL=true' });
    }
  }
  if (env.KAFKA_MIN_INSYNC_REPLICAS > env.KAFKA_REPLICATION_FACTOR) {
    issues.push({ path: 'KAFKA_MIN_INSYNC_REPLICAS', message: 'must not exceed KAFKA_REPLICATION_FACTOR (no write could ever succeed)' });
  }
  return issues;
}

/** An invalid Kafka environment; the message lists every problem by variable name. */
export class KafkaConfigError extends Error {}

export function kafkaSettingsFromEnv(clientId: string, env: NodeJS.ProcessEnv = process.env): KafkaSettings {
  const issues = kafkaEnvIssues(env);
  const parsed = KafkaEnvSchema.safeParse(env);
  if (!parsed.success || issues.length) {
    throw new KafkaConfigError(`${clientId}: invalid Kafka configuration:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
  }
  const e = parsed.data;
  return {
    brokers: e.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean),
    clientId,
    topicPrefix: e.KAFKA_TOPIC_PREFIX,
    partitions: e.KAFKA_PARTITIONS,
    replicationFactor: e.KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: e.KAFKA_MIN_INSYNC_REPLICAS,
    sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
    ssl: e.KAFKA_SSL === 'true' ? tlsOptions(e) : undefined,
    sasl: e.KAFKA_SASL_MECHANISM
      ? { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME!, password: e.KAFKA_SASL_PASSWORD! }
      : undefined,
  };
}

function tlsOptions(e: KafkaEnv): true | ConnectionOptions {
  if (!e.KAFKA_SSL_CA_FILE && !e.KAFKA_SSL_CERT_FILE) return true;
  const read = (name: 'KAFKA_SSL_CA_FILE' | 'KAFKA_SSL_CERT_FILE' | 'KAFKA_SSL_KEY_FILE') => {
    const path = e[name];
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new KafkaConfigError(`invalid Kafka configuration:\n  - ${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const ca = read('KAFKA_SSL_CA_FILE');
  const cert = read('KAFKA_SSL_CERT_FILE');
  const key = read('KAFKA_SSL_KEY_FILE');
  // The brokers' certificates are always verified (rejectUnauthorized is Node's default and is not configurable here).
  return { ...(ca ? { ca: [ca] } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs go through the same JSON logger as everything else. */
function logCreator() {
  const log = rootLogger().child({ component: 'kafkajs' });
  return ({ level, log: entry }: LogEntry) => {
    const { message, broker, error } = entry as { message: string; broker?: string; error?: string };
    log[LEVELS[level] ?? 'info']({ kafka: { broker, error } }, message);
  };
}

/**
 * The one place Kafka clients are built (apps, scripts, test harnesses): brokers, TLS and SASL from
 * the settings. `overrides` may change client behaviour (log level, retries) but not where or how it
 * connects.
 */
export function createKafka(settings: KafkaSettings, overrides: Pick<KafkaConfig, 'logLevel' | 'retry' | 'connectionTimeout' | 'requestTimeout'> = {}): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator,
    ...overrides,
    ...(settings.ssl ? { ssl: settings.ssl } : {}),
    ...(settings.sasl ? { sasl: settings.sasl as SASLOptions } : {}),
  });
}
