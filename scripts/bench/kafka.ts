import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, Producer, logLevel } from 'kafkajs';
import { CloudEvent, toKafkaRecord } from '@omni/contracts';
import { EventPublisher, KafkaSettings, createKafka } from '@omni/messaging';

/** Same client (libs/messaging's builder; the bench's own local plaintext broker) and producer settings, so only the code on top differs. */
export function benchKafka(brokers: string): Kafka {
  return createKafka({ ...benchSettings(1), brokers: brokers.split(',') }, { logLevel: logLevel.NOTHING });
}

export function gatewayProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Baseline of the chat round trip: one raw produce (acks=all) → consume hop, with the consumer
 * settings the apps use (1 s long-poll, partitions consumed concurrently), driven by the same
 * number of concurrent sessions each waiting for its reply before sending the next.
 */
export async function rawRoundTrips(kafka: Kafka, topic: string, sessions: number, perSession: number, partitions: number): Promise<number[]> {
  await createTopic(kafka, topic, partitions);
  // Not idempotent: kafkajs misorders idempotent sequence numbers under concurrent `send`s, which
  // is exactly what the sessions here do. acks=all keeps the durability cost the same.
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 1_000, allowAutoTopicCreation: false });
  const waiting = new Map<string, () => void>();
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: partitions,
      eachMessage: async ({ message }) => waiting.get(message.value?.toString() ?? '')?.(),
    });
    await joined;
    const ping = async (key: string): Promise<number> => {
      const id = randomUUID();
      const t0 = performance.now();
      const got = new Promise<void>((r) => waiting.set(id, r));
      await producer.send({ topic, acks: -1, messages: [{ key, value: id }] });
      await got;
      waiting.delete(id);
      return performance.now() - t0;
    };
    const samples: number[] = [];
    await Promise.all(
      Array.from({ length: sessions }, async (_, s) => {
        await ping(`warm-${s}`);
        for (let k = 0; k < perSession; k++) samples.push(await ping(`session-${s}`));
      }),
    );
    return samples;
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  }
}

/** A realistic inbound-message event (~0.7 KB value, CloudEvents headers). */
export function sampleEvent(i: number): CloudEvent {
  const conversationId = `conv-${i % 997}`;
  return {
    specversion: '1.0', id: randomUUID(), type: 'omni.message.received.v1', source: '/channels/web/default',
    time: new Date().toISOString(), subject: conversationId, datacontenttype: 'application/json',
    tenantid: 'default', region: 'local',
    data: {
      tenantId: 'default', region: 'local', channel: 'web', accountId: 'default', conversationId,
      customer: { channelUserId: `visitor-${i % 997}`, displayName: 'Benchmark Visitor', locale: 'en' },
      message: {
        channelMessageId: `msg-${i}`, direction: 'inbound', type: 'text', attachments: [],
        text: 'Hello, I would like to know your opening hours and whether I can return an item bought online. '.repeat(4),
        timestamp: new Date().toISOString(),
      },
    },
  };
}

export interface Throughput {
  records: number;
  seconds: number;
  perSec: number;
}

/** Raw kafkajs: the same records in sendBatch calls of `batch`, one request at a time, acks=all. */
export async function rawSendBatch(producer: Producer, topic: string, events: CloudEvent[], batch: number): Promise<Throughput> {
  const records = events.map((e) => toKafkaRecord(e));
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += batch) {
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: records.slice(i, i + batch) }] });
  }
  const seconds = (performance.now() - t0) / 1000;
  return { records: records.length, seconds, perSec: records.length / seconds };
}

/** The gateway's EventPublisher with `callers` concurrent callers, each publishing one event at a time. */
export async function publisherThroughput(publisher: EventPublisher, topic: string, events: CloudEvent[], callers: number): Promise<Throughput> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < events.length) await publisher.publish(topic, events[next++]);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { records: events.length, seconds, perSec: events.length / seconds };
}

/** EventPublisher reads only the topic prefix; the rest mirrors an app's settings. */
export function benchSettings(partitions: number): KafkaSettings {
  return { brokers: [], clientId: 'omni-bench', topicPrefix: '', partitions, replicationFactor: 1, minInsyncReplicas: 1, sessionTimeoutMs: 30_000 };
}
