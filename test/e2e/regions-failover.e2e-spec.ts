import { createConnection, Connection } from 'mongoose';
import WebSocket from 'ws';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';

const OPERATOR = 'omni-e2e-operator-key-0123456789';

interface Client {
  ws: WebSocket;
  replies: { id: string; text: string }[];
}

function openClient(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws');
    const c: Client = { ws, replies: [] };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello' })));
    ws.on('error', reject);
    ws.on('message', (raw: Buffer) => {
      const f = JSON.parse(raw.toString()) as { type: string; message?: { id: string; author: string; text?: string } };
      if (f.type === 'welcome') resolve(c);
      if (f.type === 'message' && f.message?.author === 'bot') c.replies.push({ id: f.message.id, text: f.message.text ?? '' });
    });
  });
}

/**
 * The smaller variant of the drill (the full one, with two Kafkas, two stores and MirrorMaker 2, is
 * `npm run drill`): one region, local-a, paired with a standby local-b that never answers. The
 * failover route moves the demo tenant's active region away; while it is elsewhere, local-a keeps
 * the warm copy of a customer's message but does not answer it; failed back, local-a replays it and
 * answers it once.
 */
describe('regions: failover route, fencing and the takeover replay (one region on the real stack)', () => {
  const name = uniqueName('regions');
  const env = {
    ...stackEnv({ prefix: name, db: name }),
    API_KEY: OPERATOR,
    REGION: 'local-a', REGIONS: 'local-a,local-b', REGION_PEERS: 'local-b=http://127.0.0.1:9',
    TENANT_HOME_REGION: 'local-a', TENANT_STANDBY_REGION: 'local-b',
    REGION_PEER_POLL_MS: '200', REGION_PEER_TIMEOUT_MS: '200', REGION_BOOT_FENCE_POLLS: '1', REGION_FAILOVER_AFTER_MS: '0', REGION_TAKEOVER_SETTLE_MS: '0',
  };
  const apps: RunningApp[] = [];
  let db: Connection;

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
    // One after the other: three cold starts at once on a busy 2-core machine miss their readiness wait.
    for (const app of ['router', 'ai-worker', 'channel-web'] as const) apps.push(await startApp(app, env));
  });

  afterAll(async () => {
    if (process.env.DUMP_LOGS) for (const a of apps) console.log(a.name, a.logs.join('').split('\n').filter((l) => !l.includes('ListOffsets')).join('\n').slice(-8000));
    await Promise.all(apps.map((a) => a.stop()));
    await db?.close();
  });

  const failover = (to: unknown, key: string | null = OPERATOR) =>
    fetch(`${apps[0].url}/v1/tenants/default/failover`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ to }),
    });

  it('answers while active, holds while another region is active, and answers the held message once after the failback', async () => {
    const [router, , web] = apps;
    const directory = async () =>
      (await (await fetch(`${router.url}/v1/regions/directory`, { headers: { authorization: `Bearer ${OPERATOR}` } })).json()) as { region: string; assignments: { tenantId: string; active: string; epoch: number }[] };
    expect(await directory()).toEqual({ region: 'local-a', assignments: [expect.objectContaining({ tenantId: 'default', active: 'local-a', epoch: 1 })] });

    const client = await openClient(web.url);
    // Unfenced once the (dead) peer failed its first poll: a message is answered here.
    client.ws.send(JSON.stringify({ type: 'message', clientMessageId: 'regions-m1', text: 'Hello!' }));
    await waitFor('the answer while local-a is active', async () => client.replies.length === 1, 60_000, 100);

    // The route: operator only, 400 naming `to`, 409 for the active region.
    expect((await failover('local-b', null)).status).toBe(401);
    const unknown = await failover('mars-1');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ issues: [{ path: 'to' }] });
    expect((await failover(42)).status).toBe(400);
    const already = await failover('local-a');
    expect(already.status).toBe(409);
    expect(await already.json()).toMatchObject({ reason: expect.stringMatching(/^to: local-a is already the active region/) });

    const over = await failover('local-b');
    expect(over.status).toBe(200);
    expect(await over.json()).toMatchObject({ tenantId: 'default', home: 'local-a', standby: 'local-b', active: 'local-b', epoch: 2 });

    // Fenced: the message is stored (the warm copy) and held as pending at the point where the AI
    // would have been asked, so no answer can follow while local-b is active.
    client.ws.send(JSON.stringify({ type: 'message', clientMessageId: 'regions-m2', text: 'Where is my order ORD-12345?' }));
    const pending = db.collection('region_pending');
    const held = await waitFor('the message held as pending', async () => (await pending.findOne({ tenantId: 'default' })) ?? undefined, 60_000, 100);
    expect(await db.collection('messages').findOne({ _id: held._id } as never)).toMatchObject({ direction: 'inbound', text: 'Where is my order ORD-12345?' });
    expect(await db.collection('messages').countDocuments({ direction: 'outbound' })).toBe(1);
    expect((await failover('local-b')).status).toBe(409);

    // Failback: local-a replays what it held and answers it, once.
    const back = await failover('local-a');
    expect(await back.json()).toMatchObject({ active: 'local-a', epoch: 3 });
    await waitFor('the held message answered after the failback', async () => client.replies.length === 2 && (await pending.countDocuments({})) === 0, 60_000, 100);
    const replies = await db.collection('messages').find({ direction: 'outbound' }).toArray();
    expect(replies.map((r) => r.replyToMessageId as string)).toContain(held._id);
    expect(new Set(replies.map((r) => r.replyToMessageId as string)).size).toBe(2);
    expect(client.replies[1].text).toMatch(/ORD-12345/);
    client.ws.close();
  }, 180_000);
});
