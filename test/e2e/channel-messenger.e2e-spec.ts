import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { hubSignature } from '@omni/channels';
import type { RunningApp } from '../support/apps';
import { uniqueName, waitFor } from '../support/env';
import { metaChannelStack } from '../support/meta-channel';
import type { GraphApiServer } from '../contract-servers/graph-api';
import { messengerEntry, messengerTextEntry, messengerWebhook, newMid } from '../support/webhooks';

const SECRET = 'e2e-messenger-app-secret';
const TOKEN = 'e2e-messenger-page-token';
const VERIFY = 'e2e-messenger-verify-token';
const PAGE_ID = '104567891234567';
const SEND_PATH = '/v23.0/me/messages';
const REPLY = 'Hi! 👋 How can I help you today? I can check an order, delivery times, payments and returns.';

const pageWebhook = (psid: string, event: Record<string, unknown>, at = Date.now()) => messengerWebhook(messengerEntry(PAGE_ID, psid, event, at));
const textWebhook = (psid: string, mid: string, text: string, at = Date.now()) => messengerWebhook(messengerTextEntry(PAGE_ID, psid, text, mid, at));

const newPsid = () => `65432${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`;

/**
 * channel-messenger with the built router and ai-worker on the real Kafka and FerretDB, and the Graph
 * API contract server playing the Send API: webhook → bot reply, statuses (mids and read watermark)
 * folded, duplicates, signatures, throttling.
 */
describe('channel-messenger through the whole pipeline', () => {
  const stack = metaChannelStack({
    name: uniqueName('fbm'),
    app: 'channel-messenger',
    path: '/webhooks/messenger',
    appSecret: SECRET,
    graph: { accessToken: TOKEN },
    env: (graphUrl) => ({
      MESSENGER_APP_SECRET: SECRET,
      MESSENGER_PAGE_ACCESS_TOKEN: TOKEN,
      MESSENGER_VERIFY_TOKEN: VERIFY,
      MESSENGER_PAGE_ID: PAGE_ID,
      MESSENGER_API_BASE_URL: graphUrl,
      MESSENGER_API_VERSION: 'v23.0',
    }),
  });
  const { post, postSigned } = stack;
  let graph: GraphApiServer;
  let fbm: RunningApp;
  let db: Connection;

  const sendsTo = (psid: string) => graph.requests.filter((r) => r.path === SEND_PATH && (r.body as { recipient?: { id?: string } }).recipient?.id === psid);
  const messages = () => db.collection('messages');
  const inbound = (mid: string) => messages().findOne({ channelMessageId: mid, direction: 'inbound' });

  beforeAll(async () => {
    ({ graph, app: fbm, db } = await stack.start());
  }, 90_000);

  afterAll(() => stack.stop());

  it('answers the verification handshake only with the right token', async () => {
    const ok = await fetch(`${fbm.url}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=CHALLENGE_ACCEPTED`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('CHALLENGE_ACCEPTED');
    expect((await fetch(`${fbm.url}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status).toBe(403);
  });

  it('turns a signed message into a RESPONSE reply and folds the delivery and read statuses into it', async () => {
    const psid = newPsid();
    const traceId = randomBytes(16).toString('hex');
    const res = await postSigned(textWebhook(psid, newMid(), 'hello'), { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, messages: 1, statuses: 0 });

    const send = await waitFor('the reply at the Send API', async () => sendsTo(psid)[0], 20_000);
    expect(send.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // One trace from the webhook through Kafka, router and ai-worker to the provider call.
    expect(String(send.headers.traceparent)).toContain(`-${traceId}-`);
    expect(send.body).toMatchObject({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: REPLY } });
    const ourId = (send.body as { message: { metadata: string } }).message.metadata;
    const reply = await waitFor('reply stored as sent', async () => messages().findOne({ _id: ourId as never, status: 'sent' }), 10_000);
    const mid = reply.providerMessageId as string;
    expect(mid).toMatch(/^m_/);

    const delivered = await postSigned(pageWebhook(psid, { delivery: { mids: [mid], watermark: Date.now() } }));
    expect(await delivered.json()).toMatchObject({ statuses: 1 });
    await waitFor('delivered folded', async () => messages().findOne({ _id: ourId as never, status: 'delivered' }), 10_000);
    // `read` names no message, only a watermark: every reply sent up to it is read.
    const read = await postSigned(pageWebhook(psid, { read: { watermark: Date.now() } }));
    expect(await read.json()).toMatchObject({ statuses: 1 });
    const stored = await waitFor('read folded', async () => messages().findOne({ _id: ourId as never, status: 'read' }), 10_000);
    expect((stored.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('stores a webhook delivered three times once and replies once', async () => {
    const psid = newPsid();
    const mid = newMid();
    const payload = textWebhook(psid, mid, 'hello');
    for (let i = 0; i < 3; i++) expect((await postSigned(payload)).status).toBe(200);
    await waitFor('the reply', async () => sendsTo(psid).length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 1_500)); // let a duplicate surface before counting
    expect(await messages().countDocuments({ channelMessageId: mid })).toBe(1);
    expect(sendsTo(psid)).toHaveLength(1);
  });

  it('refuses unsigned, wrongly signed and malformed webhooks and produces nothing for them', async () => {
    const psid = newPsid();
    const rejected = newMid();
    const body = JSON.stringify(textWebhook(psid, rejected, 'hello'));
    expect((await post(body)).status).toBe(401);
    expect((await post(body, hubSignature(body, 'another-secret'))).status).toBe(401);
    expect((await post(body.replace('hello', 'hellO'), hubSignature(body, SECRET))).status).toBe(401);

    const notJson = '{"object":"page","entry":[';
    expect((await post(notJson, hubSignature(notJson, SECRET))).status).toBe(400);
    const wrongShape = JSON.stringify({ object: 'page', entry: [{ id: PAGE_ID, messaging: [{ sender: {}, timestamp: 1 }] }] });
    const bad = await post(wrongShape, hubSignature(wrongShape, SECRET));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'validation_failed', reason: expect.stringContaining('sender.id') });

    // Same customer = same partition: once a later valid message is stored, a produced rejected one would be too.
    const accepted = newMid();
    expect((await postSigned(textWebhook(psid, accepted, 'hello'))).status).toBe(200);
    await waitFor('the valid message stored', async () => inbound(accepted), 15_000);
    expect(await inbound(rejected)).toBeNull();
    // Its reply goes out before the next test injects faults, which would otherwise hit this send.
    await waitFor('the reply to the valid message', async () => sendsTo(psid).length === 1, 20_000);
  });

  it('waits out a 429 with Retry-After and then delivers the reply once', async () => {
    const psid = newPsid();
    graph.inject({ kind: 'throttle', code: 613, retryAfterSeconds: 1 });
    expect((await postSigned(textWebhook(psid, newMid(), 'hello'))).status).toBe(200);
    await waitFor('the reply accepted', async () => sendsTo(psid).some((r) => r.status === 200), 20_000);
    const [throttled, accepted] = sendsTo(psid);
    expect(throttled.status).toBe(429);
    expect(accepted.at - throttled.at).toBeGreaterThanOrEqual(1_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sendsTo(psid).filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('retries 5xx answers and delivers once', async () => {
    const psid = newPsid();
    graph.inject({ kind: 'server-error', status: 502 }, 2);
    expect((await postSigned(textWebhook(psid, newMid(), 'hello'))).status).toBe(200);
    await waitFor('the reply accepted', async () => sendsTo(psid).some((r) => r.status === 200), 20_000);
    expect(sendsTo(psid).map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('does not let the bot answer after the 24-hour window: the reply is stored as failed with outside_window', async () => {
    const psid = newPsid();
    const mid = newMid();
    expect((await postSigned(textWebhook(psid, mid, 'hello', Date.now() - 25 * 3_600_000))).status).toBe(200);
    const question = await waitFor('the message stored', async () => inbound(mid), 15_000);
    const reply = await waitFor('the reply failed', async () => messages().findOne({ replyToMessageId: question._id, status: 'failed' }), 15_000);
    expect(reply.statusHistory).toEqual([expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'outside_window' }) })]);
    expect(sendsTo(psid)).toHaveLength(0);
  });
});
