import { createConnection, Connection } from 'mongoose';
import WebSocket from 'ws';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';

const CONVERSATIONS = 20;
const PER_CONVERSATION = 10;
const TOTAL = CONVERSATIONS * PER_CONVERSATION;

interface Client {
  ws: WebSocket;
  sessionId: string;
  acked: string[];
  replies: string[];
}

function openClient(url: string, sessionId: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws');
    const c: Client = { ws, sessionId, acked: [], replies: [] };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello' }))); // the gateway issues the session (issue 15 #3); sessionId only names the client here
    ws.on('error', reject);
    ws.on('message', (raw: Buffer) => {
      const f = JSON.parse(raw.toString()) as { type: string; messageId?: string; message?: { id: string; author: string } };
      if (f.type === 'welcome') resolve(c);
      if (f.type === 'ack' && f.messageId) c.acked.push(f.messageId);
      if (f.type === 'message' && f.message?.author === 'bot') c.replies.push(f.message.id);
    });
  });
}

/**
 * Kill the router (SIGKILL, no drain) while 200 messages are in flight, start a new one, and check
 * that every message is stored exactly once and answered exactly once, in order per conversation.
 */
describe('no loss when the router is killed mid-stream', () => {
  const name = uniqueName('noloss');
  const env = { ...stackEnv({ prefix: name, db: name }), KAFKA_SESSION_TIMEOUT_MS: '6000', WEB_RATE_LIMIT_PER_10S: '100' };
  const apps: RunningApp[] = [];
  let db: Connection;
  const start = async (app: AppName, instance = 1) => {
    const a = await startApp(app, { ...env, INSTANCE_ID: `${app}-${instance}` });
    apps.push(a);
    return a;
  };

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
  });

  afterAll(async () => {
    if (process.env.DUMP_LOGS) for (const a of apps) console.log(a.name, a.logs.join("").slice(-6000));
    await Promise.all(apps.map((a) => a.stop()));
    await db?.close();
  });

  it('stores and answers every message exactly once, in order', async () => {
    const [router] = await Promise.all([start('router'), start('ai-worker')]);
    const web = await start('channel-web');
    const clients = await Promise.all(
      Array.from({ length: CONVERSATIONS }, (_, i) => openClient(web.url, `noloss${name.replace(/[^a-z0-9]/gi, '')}${i}`.slice(0, 60))),
    );

    let sent = 0;
    const sendRound = (k: number) => {
      for (const c of clients) {
        c.ws.send(JSON.stringify({ type: 'message', clientMessageId: `msg-${String(k).padStart(4, '0')}`, text: `hello number ${k}` }));
        sent++;
      }
    };
    for (let k = 0; k < PER_CONVERSATION / 2; k++) sendRound(k);
    // Kill while the first half is still being processed.
    await waitFor('some replies before the kill', async () => clients.reduce((n, c) => n + c.replies.length, 0) >= 10, 30_000, 20);
    await router.stop('SIGKILL');
    for (let k = PER_CONVERSATION / 2; k < PER_CONVERSATION; k++) sendRound(k);
    expect(sent).toBe(TOTAL);
    await start('router', 2);

    const messages = db.collection('messages');
    await waitFor(
      'all replies stored and delivered',
      async () =>
        (await messages.countDocuments({ direction: 'outbound' })) >= TOTAL && clients.every((c) => c.replies.length >= PER_CONVERSATION),
      90_000,
      250,
    );
    // Let any late duplicate surface before counting.
    await new Promise((r) => setTimeout(r, 2_000));

    expect(clients.every((c) => c.acked.length === PER_CONVERSATION)).toBe(true);
    expect(await messages.countDocuments({ direction: 'inbound' })).toBe(TOTAL);
    expect(await messages.countDocuments({ direction: 'outbound' })).toBe(TOTAL);
    const replies = await messages.find({ direction: 'outbound' }).toArray();
    const answered = new Set(replies.map((r) => r.replyToMessageId as string));
    expect(answered.size).toBe(TOTAL);

    const inbound = await messages.find({ direction: 'inbound' }).toArray();
    const seq = new Map(inbound.map((m) => [m._id as unknown as string, Number(String(m.channelMessageId).split(':msg-')[1])]));
    const replyTo = new Map(replies.map((r) => [r._id as unknown as string, r.replyToMessageId as string]));
    for (const c of clients) {
      // Delivered once each, and in the order the customer wrote.
      expect(new Set(c.replies).size).toBe(c.replies.length);
      expect(c.replies).toHaveLength(PER_CONVERSATION);
      const order = c.replies.map((id) => seq.get(replyTo.get(id) as string));
      expect(order).toEqual([...Array(PER_CONVERSATION).keys()]);
      c.ws.close();
    }
  }, 180_000);
});
