import type { Kafka } from 'kafkajs';

/** One record as it lies on the topic: nothing decoded, nothing opened. */
export interface RawRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Reads a topic from its beginning (`topic`: the resolved name, prefix included) with a group of its
 * own until `expected` records came, and returns them raw. Int specs use it to look at what Kafka
 * actually holds: dead letters and their headers, sealed bytes after an erasure. Rejects when fewer
 * came within 30 s (a bound on a broken run, not an assertion on time).
 */
export async function readRawRecords(kafka: Kafka, topic: string, expected: number, groupId: string): Promise<RawRecord[]> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const got: RawRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length}/${expected} records on ${topic}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[0] : v);
          got.push({ key: String(message.key), value: message.value ?? Buffer.alloc(0), headers });
          if (got.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}
