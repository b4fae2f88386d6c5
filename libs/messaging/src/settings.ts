import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { rootLogger } from '@omni/telemetry';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name; empty in production. Lets test suites share one cluster. */
  topicPrefix: string;
  partitions: number;
  replicationFactor: number;
  /** How long a silent consumer keeps its partitions; a crashed one's are reassigned after it. */
  sessionTimeoutMs: number;
}

export function kafkaSettingsFromEnv(clientId: string, env: NodeJS.ProcessEnv = process.env): KafkaSettings {
  return {
    brokers: (env.KAFKA_BROKERS ?? 'localhost:9092').split(',').map((b) => b.trim()).filter(Boolean),
    clientId,
    topicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
    partitions: Number(env.KAFKA_PARTITIONS ?? 3),
    replicationFactor: Number(env.KAFKA_REPLICATION_FACTOR ?? 1),
    sessionTimeoutMs: Number(env.KAFKA_SESSION_TIMEOUT_MS ?? 30_000),
  };
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

export function createKafka(settings: KafkaSettings): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator,
  });
}
