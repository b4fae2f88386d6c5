import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Connection, createConnection } from 'mongoose';
import { OutboundCommand, createEvent, outboundTopic, toKafkaRecord } from '@omni/contracts';
import { AppName, RunningApp, freePort, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';
import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';

const TOKEN = 'e2e-reconcile-page-token';
const SECRET = 'e2e-reconcile-messenger-secret';
const PAGE_ID = '104567891230013';
const SEND_PATH = '/v23.0/me/messages';

/**
 * Issue 13, gap 2 (ADR 0423 addendum): the same kill as the WhatsApp reconcile e2e, on Messenger. Our
 * messageId rides in the Send API's `message.metadata`, which Meta returns on the `message_echoes`
 * webhook of the Page. channel-messenger (real Kafka, real store) is SIGKILLed while two sends are
 * inside their provider request: Meta took one (its signed echo, with our metadata, arrives) and never
 * got the other. Restarted, the app records the first sent from its echo (never requested again) and
 * sends the second again exactly once with the same key. (Before: both `send_outcome_unknown`, the
 * second never sent.)
 */
describe('a Messenger send cut mid-request by a kill is reconciled against its echo webhook', () => {
  const name = uniqueName('recon-fbm');
  let graph: GraphApiServer;
  let app: RunningApp | undefined;
  let db: Connection;
  let port: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    port = await freePort();
    graph = await startGraphApiServer({
      pageTokens: { [PAGE_ID]: TOKEN },
      // The Page subscribes to message_echoes: Meta posts each echo to the app's webhook URL, retrying while it does not answer.
      echoWebhooks: { targets: () => [`http://127.0.0.1:${port}/webhooks/messenger`], appSecret: SECRET, pageId: PAGE_ID, retryEveryMs: 200 },
    });
    db = await createConnection(mongoUri(name)).asPromise();
    env = {
      ...stackEnv({ prefix: name, db: name }),
      CHANNEL_MESSENGER_PORT: String(port),
      MESSENGER_APP_SECRET: SECRET, MESSENGER_VERIFY_TOKEN: 'e2e-reconcile-verify', MESSENGER_PAGE_ACCESS_TOKEN: TOKEN, MESSENGER_PAGE_ID: PAGE_ID,
      MESSENGER_API_BASE_URL: graph.url, MESSENGER_API_VERSION: 'v23.0',
      // The hung requests end by the kill, not by a timeout of ours.
      MESSENGER_HTTP_TIMEOUT_MS: '60000',
      SEND_RECONCILE_SECONDS: '3',
      // The killed member's partitions come back to the restarted app after one session.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    app = await startApp('channel-messenger' as AppName, env);
  }, 120_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await db?.close();
    await graph?.close();
  });

  it('confirms the send Meta echoed (no resend) and sends the one it never got exactly once more', async () => {
    const conversation = (id: string) => `${name}-conv-${id}`;
    // The customers wrote a minute ago: the 24 h window is open (the router keeps lastInboundAt; here it is written directly).
    await db.collection('conversations').insertMany(['taken', 'never-got'].map((id) => ({ _id: conversation(id), lastInboundAt: new Date(Date.now() - 60_000) })) as never[]);
    const command = (id: string, psid: string) => toKafkaRecord(createEvent({
      type: 'omni.message.send.v1', id: `${name}-${id}`, source: '/e2e', subject: conversation(id), tenantId: 'default', region: 'local',
      data: {
        tenantId: 'default', region: 'local', channel: 'messenger', accountId: PAGE_ID, conversationId: conversation(id), messageId: `${name}-${id}`,
        recipient: { channelUserId: psid }, author: { kind: 'bot' }, createdAt: new Date().toISOString(),
        message: { type: 'text', text: `answer ${id}`, attachments: [] },
      } satisfies OutboundCommand,
    }));
    const kafka = new Kafka({ clientId: 'e2e-reconcile-fbm', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    const metadataOf = (body: unknown) => (body as { message?: { metadata?: string } } | undefined)?.message?.metadata;
    const requestsOf = (id: string) => graph.requests.filter((r) => r.path === SEND_PATH && metadataOf(r.body) === `${name}-${id}`);
    const claimed = async (id: string) => (await db.collection('sends').countDocuments({ _id: `${name}-${id}` } as never)) === 1;
    const ours = (id: string) => (_path: string, body: unknown) => metadataOf(body) === `${name}-${id}`;
    // "taken": Meta accepts the request (its echo follows) but the answer never comes back.
    graph.inject({ kind: 'accept-and-hang' }, 1, ours('taken'));
    // "never-got": the request hangs and Meta never takes it (no echo will ever come).
    graph.inject({ kind: 'hang' }, 1, ours('never-got'));
    await producer.connect();
    try {
      await producer.send({ topic: `${name}.${outboundTopic('messenger')}`, acks: -1, messages: [command('taken', '7000000000000201'), command('never-got', '7000000000000202')] });
      await waitFor('both sends inside their provider request', async () => requestsOf('taken').length === 1 && requestsOf('never-got').length === 1 && (await claimed('taken')) && (await claimed('never-got')), 60_000, 100);
      await waitFor("Meta's echo of the taken send delivered", async () => graph.echoes.some((e) => e.metadata === `${name}-taken` && e.to), 30_000, 100);
    } finally {
      await producer.disconnect();
    }

    // The kill, mid-request: both claims recorded, neither outcome.
    await app?.stop('SIGKILL');
    app = undefined;
    const outcome = (id: string) => db.collection('send_outcomes').findOne({ _id: `${name}-${id}` } as never);
    expect(await outcome('taken')).toBeNull();
    expect(await outcome('never-got')).toBeNull();

    app = await startApp('channel-messenger' as AppName, env);
    const settled = await waitFor('both sends settled after the restart', async () => {
      const [taken, neverGot] = [await outcome('taken'), await outcome('never-got')];
      return taken && neverGot ? { taken, neverGot } : undefined;
    }, 90_000, 200);

    // Taken: recorded sent with Meta's mid, from its echo; never requested again.
    const takenMid = (requestsOf('taken')[0].answer as { message_id: string }).message_id;
    expect(settled.taken).toMatchObject({ state: 'sent', via: 'confirmed', providerMessageId: takenMid });
    expect(await db.collection('send_confirmations').findOne({ _id: `${name}-taken` } as never)).toMatchObject({ channel: 'messenger', accountId: PAGE_ID, providerMessageId: takenMid, status: 'echo' });
    // Never got: sent again once, the same key (metadata), and recorded so.
    expect(settled.neverGot).toMatchObject({ state: 'sent', via: 'resent_after_unknown' });
    const accepted = (id: string) => requestsOf(id).filter((r) => r.status === 200 || r.acceptedStatus === 200);
    expect(accepted('never-got')).toHaveLength(1);
    expect(requestsOf('never-got')).toHaveLength(2);

    // Quiet: the resend's own echo came back (and was recorded), nothing was sent a third time, nor the taken one a second.
    await waitFor("the resend's echo delivered", async () => graph.echoes.some((e) => e.metadata === `${name}-never-got` && e.to), 30_000, 100);
    await waitFor("the resend's echo recorded", async () => (await db.collection('send_confirmations').countDocuments({ _id: `${name}-never-got` } as never)) === 1, 30_000, 100);
    expect(accepted('taken')).toHaveLength(1);
    expect(requestsOf('taken')).toHaveLength(1);
    expect(accepted('never-got')).toHaveLength(1);
  }, 240_000);
});
