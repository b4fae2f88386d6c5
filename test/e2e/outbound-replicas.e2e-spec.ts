import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Connection, createConnection } from 'mongoose';
import { createEvent, outboundTopic, toKafkaRecord } from '@omni/contracts';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';
import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';

const TOKEN = 'e2e-replicas-access-token';
const PHONE_NUMBER_ID = '106540352242977';
const SEND_PATH = `/v23.0/${PHONE_NUMBER_ID}/messages`;
/** Enough sends that three replicas with the whole limit each would run well past 80 in a second. */
const SENDS = 480;
const CUSTOMERS = 120;

const customer = (i: number) => String(1_650_200_0000 + i);
const conversation = (run: string, i: number) => `${run}-conv-${i}`;

/** The router's conversations (the customer wrote a minute ago: free text is inside the 24-hour window). */
async function seedConversations(db: Connection, run: string): Promise<void> {
  const now = new Date();
  const ago = new Date(now.getTime() - 60_000);
  await db.collection('conversations').insertMany(
    Array.from({ length: CUSTOMERS }, (_, i) => ({
      _id: conversation(run, i) as never, tenantId: 'default', region: 'local', channel: 'whatsapp', accountId: PHONE_NUMBER_ID,
      customerId: `customer-${i}`, channelUserId: customer(i), state: 'bot', lastInboundAt: ago, lastMessageAt: ago, createdAt: ago, updatedAt: now, version: 0,
    })),
  );
}

/** Bot replies for one number, round-robin over the conversations, straight onto the outbound topic. */
async function produceSends(prefix: string, run: string): Promise<string[]> {
  const ids: string[] = [];
  const records = Array.from({ length: SENDS }, (_, n) => {
    const i = n % CUSTOMERS;
    const id = randomUUID();
    ids.push(id);
    return toKafkaRecord(createEvent({
      type: 'omni.message.send.v1', id, source: '/e2e', subject: conversation(run, i), tenantId: 'default', region: 'local',
      data: {
        tenantId: 'default', region: 'local', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, conversationId: conversation(run, i), messageId: id,
        recipient: { channelUserId: customer(i) }, author: { kind: 'bot' }, createdAt: new Date().toISOString(),
        message: { type: 'text', text: `Your order ${n} ships tomorrow.`, attachments: [] },
      },
    }));
  });
  const kafka = new Kafka({ clientId: 'e2e-replicas', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic: `${prefix}${outboundTopic('whatsapp')}`, acks: -1, messages: records });
  } finally {
    await producer.disconnect();
  }
  return ids;
}

/** A counter of one replica's /metrics (0 when absent). */
async function sentBy(app: RunningApp): Promise<number> {
  const text = await (await fetch(`${app.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('omni_outbound_sends_total{') && l.includes('channel="whatsapp"') && l.includes('outcome="sent"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/**
 * Issue 12 #4: three replicas of channel-whatsapp on the real Kafka and FerretDB share one number's
 * 80/s (ADR 0601) against the Graph API contract server enforcing it in a sliding window: every
 * send reaches Meta once and Meta never answers 429. Throughput (≥ 95% of the limit) is measured by
 * `npm run bench -- --only outbound-replicas`, not asserted here.
 */
describe('outbound limits held across replicas', () => {
  const name = uniqueName('replicas');
  let graph: GraphApiServer;
  let replicas: RunningApp[] = [];
  let db: Connection;

  beforeAll(async () => {
    graph = await startGraphApiServer({ accessToken: TOKEN, rateLimit: { limit: 80, intervalMs: 1_000 } });
    db = await createConnection(mongoUri(name)).asPromise();
    const env = {
      ...stackEnv({ prefix: name, db: name }),
      WHATSAPP_APP_SECRET: 'e2e-replicas-app-secret', WHATSAPP_VERIFY_TOKEN: 'e2e-replicas-verify', WHATSAPP_ACCESS_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID, WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_API_VERSION: 'v23.0',
      LOG_LEVEL: 'info',
    };
    // test/support's AppName lists the first apps only; the channel app is started the same way.
    replicas = await Promise.all([1, 2, 3].map((n) => startApp('channel-whatsapp' as AppName, { ...env, INSTANCE_ID: `channel-whatsapp-${n}` })));
    await seedConversations(db, name);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((a) => a.stop()));
    await db?.close();
    await graph?.close();
  });

  it("never exceeds one number's 80/s together: every send reaches Meta once, no 429", async () => {
    // The group has three members, each with one of the three partitions (it may still be
    // rebalancing while the sends arrive: the limit must hold then too).
    await waitFor('three members with one partition each', async () =>
      replicas.every((r) => r.logs.join('').includes('"partitions":[') && /"partitions":\[\d\],"of":3/.test(r.logs.join(''))), 60_000, 250);
    const ids = await produceSends(`${name}.`, name);

    const accepted = () => graph.requests.filter((r) => r.path === SEND_PATH && r.status === 200);
    await waitFor(`${SENDS} sends accepted by Meta`, async () => accepted().length >= SENDS, 180_000, 500);

    const sends = graph.requests.filter((r) => r.path === SEND_PATH);
    // Three replicas with the whole limit each: 209 × 429 in this test's first run without ADR 0601.
    expect(sends.filter((r) => r.status === 429).length).toBe(0);
    // Each command reached Meta exactly once (our message id rides in biz_opaque_callback_data).
    const sent = accepted().map((r) => (r.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data).sort();
    expect(sent).toEqual([...ids].sort());
    // All three replicas sent: the limit was shared, not held by one of them.
    const perReplica = await Promise.all(replicas.map(sentBy));
    expect(perReplica.every((n) => n > 0)).toBe(true);
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(SENDS);
  }, 300_000);
});
