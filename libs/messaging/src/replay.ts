import { Kafka } from 'kafkajs';
import { dlqTopic } from '@omni/contracts';
import { KafkaSettings } from './settings';
import { resolveTopic } from './topics';

export interface ReplayOptions {
  limit?: number;
  dryRun?: boolean;
  /** Stop once nothing new arrived for this long. */
  idleMs?: number;
  onRecord?: (offset: string, error: string) => void;
}

/**
 * Moves dead letters back to the topic they came from, once the cause is fixed. Reads `<topic>.dlq`
 * with its own consumer group (a record is replayed once), strips the x-omni-* failure headers,
 * produces the original key, value and headers with acks=all, and only then commits.
 */
export async function replayDeadLetters(kafka: Kafka, settings: KafkaSettings, topic: string, opts: ReplayOptions = {}): Promise<number> {
  const source = resolveTopic(settings, dlqTopic(topic));
  const target = resolveTopic(settings, topic);
  const limit = opts.limit ?? Infinity;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${settings.topicPrefix}omni-dlq-replay.${topic}`, maxWaitTimeInMs: 500 });
  await Promise.all([producer.connect(), consumer.connect()]);
  let moved = 0;
  let lastSeen = Date.now();
  try {
    await consumer.subscribe({ topics: [source], fromBeginning: true });
    await consumer.run({
      autoCommit: !opts.dryRun,
      eachMessage: async ({ message }) => {
        lastSeen = Date.now();
        if (moved >= limit) return;
        const headers: Record<string, Buffer | string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) {
          const first = Array.isArray(v) ? v[0] : v;
          if (first !== undefined && !k.startsWith('x-omni-')) headers[k] = first;
        }
        opts.onRecord?.(message.offset, message.headers?.['x-omni-error-message']?.toString() ?? '');
        if (!opts.dryRun) await producer.send({ topic: target, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
        moved++;
      },
    });
    const idle = opts.idleMs ?? 3_000;
    while (Date.now() - lastSeen < idle && moved < limit) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  return moved;
}
