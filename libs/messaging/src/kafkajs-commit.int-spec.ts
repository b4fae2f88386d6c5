import { Consumer, Kafka, Producer } from 'kafkajs';
import { createKafka, kafkaSettingsFromEnv } from './settings';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * patches/kafkajs+2.2.4.patch, on the real broker: kafkajs 2.2.4 committed offsets after every batch
 * whatever autoCommitInterval said, so at an ordinary trickle (a fetch answering one record) every
 * group sent the broker one OffsetCommit per record — a third of all requests in the bench. Patched,
 * batches commit on the interval, an idle member's empty fetches commit a burst's tail, stop() commits what was resolved, and a restarted member resumes
 * exactly after the last handled record. Both specs fail on an unpatched install.
 */
describe('kafkajs commits on the interval (patched)', () => {
  const settings = kafkaSettingsFromEnv('int-commit');
  const topic = `int-commit-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const groupId = `${topic}.group`;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    kafka = createKafka(settings);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  async function member(seen: string[]): Promise<{ consumer: Consumer; commits: () => number }> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 600, maxWaitTimeInMs: 1_000 });
    let commits = 0;
    consumer.on(consumer.events.REQUEST, (e) => { if (e.payload.apiName === 'OffsetCommit') commits++; });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ autoCommit: true, autoCommitInterval: 1_000, eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
    return { consumer, commits: () => commits };
  }

  it('sends about one commit per interval at a trickle of one-record batches, and none lost at stop', async () => {
    const seen: string[] = [];
    const first = await member(seen);
    // Joined once the first record comes back.
    await producer.send({ topic, messages: [{ value: 'r0' }] });
    for (let i = 0; i < 200 && seen.length < 1; i++) await sleep(50);
    const before = first.commits();
    // 30 records, one every 50 ms: about 30 one-record batches in 1.5 s.
    for (let i = 1; i <= 30; i++) {
      await producer.send({ topic, messages: [{ value: `r${i}` }] });
      await sleep(50);
    }
    for (let i = 0; i < 100 && seen.length < 31; i++) await sleep(50);
    expect(seen).toHaveLength(31);
    // Unpatched: about 30 (one per batch). Patched: one per second of the trickle, plus one in flight.
    expect(first.commits() - before).toBeLessThanOrEqual(4);
    // The idle member's empty fetches commit the tail of the trickle, without waiting for a stop.
    const admin = kafka.admin();
    await admin.connect();
    let committed = '';
    for (let i = 0; i < 100 && committed !== '31'; i++) {
      committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset;
      if (committed !== '31') await sleep(100);
    }
    await admin.disconnect();
    expect(committed).toBe('31');
    await first.consumer.disconnect();

    // The stop committed the last handled record: a new member of the group starts after it.
    await producer.send({ topic, messages: [{ value: 'after-stop' }] });
    const again: string[] = [];
    const second = await member(again);
    for (let i = 0; i < 200 && again.length < 1; i++) await sleep(50);
    await sleep(500);
    await second.consumer.disconnect();
    expect(again).toEqual(['after-stop']);
  }, 60_000);
});
