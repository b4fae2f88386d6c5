import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Connection, createConnection } from 'mongoose';
import { OutboundCommand, createEvent, outboundTopic, toKafkaRecord } from '@omni/contracts';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';
import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';

const OPERATOR = 'omni-e2e-operator-key-0123456789';
const TOKEN = 'e2e-fence-access-token';
const PHONE_NUMBER_ID = '106540352242978';
const CUSTOMER = '34611000111';
const SEND_PATH = `/v23.0/${PHONE_NUMBER_ID}/messages`;

/**
 * local-b's router as far as local-a's channel app sees it: `GET /v1/regions/sends/{id}` answers
 * whether local-b decided a send, and at which epoch (the operator key required, like the router's).
 */
async function startPeerRouter(decided: Record<string, number>): Promise<{ url: string; asked: string[]; server: Server }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/v1\/regions\/sends\/([^/]+)$/.exec(url.pathname);
    if (req.headers.authorization !== `Bearer ${OPERATOR}`) return void res.writeHead(401).end();
    if (!m || url.searchParams.get('tenantId') !== 'default') return void res.writeHead(404).end();
    const id = decodeURIComponent(m[1]);
    asked.push(id);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sendId: id, decided: id in decided, ...(id in decided ? { epoch: decided[id] } : {}) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked, server };
}

/**
 * The drill's duplicate (ADR 0300): local-a decided a reply just before it was killed; local-b took the
 * tenant over and answered the same message; local-a, back, consumed its old command. Here local-a's
 * channel-whatsapp (real Kafka, real store) gets four send commands of one conversation, in order, after
 * the tenant went to local-b (epoch 2) and came back (epoch 3): the one local-b's mirrored command says it
 * decided later, the one local-b says so when asked, one local-b did not decide, and one of the current
 * epoch. Only the last two reach the provider.
 */
describe('regions: the channel app does not send what a peer region decided later', () => {
  const name = uniqueName('fence');
  let graph: GraphApiServer;
  let peer: Awaited<ReturnType<typeof startPeerRouter>>;
  let app: RunningApp;
  let db: Connection;

  beforeAll(async () => {
    graph = await startGraphApiServer({ accessToken: TOKEN });
    peer = await startPeerRouter({ [`${name}-asked`]: 2 });
    db = await createConnection(mongoUri(name)).asPromise();
    // local-a's copy of the directory (what its router stores): home local-a, to local-b at epoch 2, back at 3.
    const since = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    await db.collection('region_assignment_epochs').insertMany([
      { _id: 'default:1' as never, tenantId: 'default', home: 'local-a', standby: 'local-b', active: 'local-a', epoch: 1, since: since(10) },
      { _id: 'default:2' as never, tenantId: 'default', home: 'local-a', standby: 'local-b', active: 'local-b', epoch: 2, since: since(9) },
      { _id: 'default:3' as never, tenantId: 'default', home: 'local-a', standby: 'local-b', active: 'local-a', epoch: 3, since: since(1) },
    ]);
    // local-b's command for this send, mirrored by MirrorMaker 2 and recorded by local-a's router.
    await db.collection('peer_sends').insertOne({ _id: `${name}-mirrored` as never, region: 'local-b', epoch: 2, at: new Date() });
    app = await startApp('channel-whatsapp' as AppName, {
      ...stackEnv({ prefix: name, db: name }),
      API_KEY: OPERATOR, REGION: 'local-a', REGION_PEERS: `local-b=${peer.url}`,
      WHATSAPP_APP_SECRET: 'e2e-fence-app-secret', WHATSAPP_VERIFY_TOKEN: 'e2e-fence-verify', WHATSAPP_ACCESS_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_API_VERSION: 'v23.0',
    });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await db?.close();
    await graph?.close();
    await new Promise((r) => peer?.server.close(r));
  });

  it('sends only the commands no peer region decided at a later epoch', async () => {
    const decidedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const command = (id: string, epoch: number, createdAt: string) => toKafkaRecord(createEvent({
      type: 'omni.message.send.v1', id: `${name}-${id}`, source: '/e2e', subject: `${name}-conv`, tenantId: 'default', region: 'local-a',
      data: {
        tenantId: 'default', region: 'local-a', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, conversationId: `${name}-conv`, messageId: `${name}-${id}`,
        recipient: { channelUserId: CUSTOMER }, author: { kind: 'bot' }, createdAt, message: { type: 'text', text: `answer ${id}`, attachments: [] },
        context: { lastInboundAt: new Date().toISOString(), locale: 'en' }, fence: { region: 'local-a', epoch },
      } satisfies OutboundCommand,
    }));
    const kafka = new Kafka({ clientId: 'e2e-fence', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      // One conversation: consumed in this order.
      await producer.send({
        topic: `${name}.${outboundTopic('whatsapp')}`, acks: -1,
        messages: [command('mirrored', 1, decidedAt), command('asked', 1, decidedAt), command('own', 1, decidedAt), command('current', 3, new Date().toISOString())],
      });
    } finally {
      await producer.disconnect();
    }

    const sent = () => graph.requests.filter((r) => r.path === SEND_PATH && r.status === 200).map((r) => (r.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data);
    await waitFor('the current command sent', async () => sent().includes(`${name}-current`), 60_000, 200);
    expect(sent()).toEqual([`${name}-own`, `${name}-current`]);
    // Asked about the two commands from before the switches that no mirrored command settled; not about the current one.
    expect(peer.asked).toEqual([`${name}-asked`, `${name}-own`]);
    // Nothing claimed for the sends left to local-b.
    expect(await db.collection('sends').countDocuments({ _id: { $in: [`${name}-mirrored`, `${name}-asked`] } } as never)).toBe(0);
  }, 120_000);
});
