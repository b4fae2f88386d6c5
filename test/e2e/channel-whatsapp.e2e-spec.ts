import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { hubSignature } from '@omni/channels';
import { newWamid, whatsappImageChange, whatsappMessageChange, whatsappStatusChange, whatsappTextWebhook, whatsappWebhook } from '../support/webhooks';
import type { RunningApp } from '../support/apps';
import { uniqueName, waitFor } from '../support/env';
import { metaChannelStack } from '../support/meta-channel';
import type { GraphApiServer } from '../contract-servers/graph-api';

const SECRET = 'e2e-whatsapp-app-secret';
const TOKEN = 'e2e-whatsapp-access-token';
const VERIFY = 'e2e-whatsapp-verify-token';
const PHONE_NUMBER_ID = '106540352242922';
const SEND_PATH = `/v23.0/${PHONE_NUMBER_ID}/messages`;
const REPLY = 'Hi! 👋 How can I help you today? I can check an order, delivery times, payments and returns.';

const textWebhook = (from: string, wamid: string, text: string, sentAt = Date.now()) => whatsappTextWebhook({ phoneNumberId: PHONE_NUMBER_ID, from, wamid, text, sentAt, name: 'Sheena Nelson' });
const statusWebhook = (to: string, wamid: string, status: 'delivered' | 'read', ourId: string) => whatsappWebhook([whatsappStatusChange({ phoneNumberId: PHONE_NUMBER_ID, to, wamid, status, ourId })]);

const MEDIA_ID = '1003383421387256';
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]), randomBytes(40_000)]);

const newCustomer = () => `1650${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

/**
 * channel-whatsapp with the built router and ai-worker on the real Kafka and FerretDB, and the Graph
 * API contract server playing Meta: webhook → bot reply at "Meta", statuses folded, duplicates,
 * signatures, throttling.
 */
describe('channel-whatsapp through the whole pipeline', () => {
  const stack = metaChannelStack({
    name: uniqueName('wa'),
    app: 'channel-whatsapp',
    path: '/webhooks/whatsapp',
    appSecret: SECRET,
    graph: { accessToken: TOKEN, media: { [MEDIA_ID]: { content: PHOTO, mime: 'image/jpeg' } } },
    env: (graphUrl) => ({
      WHATSAPP_APP_SECRET: SECRET,
      WHATSAPP_ACCESS_TOKEN: TOKEN,
      WHATSAPP_VERIFY_TOKEN: VERIFY,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_API_BASE_URL: graphUrl,
      WHATSAPP_API_VERSION: 'v23.0',
      WHATSAPP_TEMPLATES: JSON.stringify([{ name: 'reengage', language: 'en_US', status: 'APPROVED', bodyParams: 1 }]),
      WHATSAPP_FALLBACK_TEMPLATE: 'reengage',
    }),
  });
  const { post, postSigned } = stack;
  let graph: GraphApiServer;
  let wa: RunningApp;
  let db: Connection;

  const sendsTo = (to: string) => graph.requests.filter((r) => r.path === SEND_PATH && (r.body as { to?: string }).to === to);
  const messages = () => db.collection('messages');
  const inbound = (wamid: string) => messages().findOne({ channelMessageId: wamid, direction: 'inbound' });

  beforeAll(async () => {
    ({ graph, app: wa, db } = await stack.start());
  }, 90_000);

  afterAll(() => stack.stop());

  it('answers the verification handshake only with the right token', async () => {
    const ok = await fetch(`${wa.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${wa.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(wrong.status).toBe(403);
  });

  it('turns a signed text webhook into a bot reply at Meta and folds the statuses into the stored reply', async () => {
    const from = newCustomer();
    const traceId = randomBytes(16).toString('hex');
    const res = await postSigned(textWebhook(from, newWamid(), 'hello'), { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, messages: 1, statuses: 0 });

    const send = await waitFor('the reply at the Graph API', async () => sendsTo(from)[0], 20_000);
    expect(send.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // One trace from the webhook through Kafka, router and ai-worker to the provider call.
    expect(String(send.headers.traceparent)).toContain(`-${traceId}-`);
    expect(send.body).toMatchObject({ messaging_product: 'whatsapp', to: from, type: 'text', text: { body: REPLY } });
    const ourId = (send.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data;
    const reply = await waitFor('reply stored as sent', async () => messages().findOne({ _id: ourId as never, status: 'sent' }), 10_000);
    const wamid = reply.providerMessageId as string;
    expect(wamid).toMatch(/^wamid\./);

    for (const status of ['delivered', 'read'] as const) expect((await postSigned(statusWebhook(from, wamid, status, ourId))).status).toBe(200);
    const read = await waitFor('read folded into the reply', async () => messages().findOne({ _id: ourId as never, status: 'read' }), 10_000);
    expect((read.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('reads a customer’s 👎 reaction to the bot’s answer as a thumbs-down, on the bot turn and the prediction log, without another reply', async () => {
    const from = newCustomer();
    const question = newWamid();
    expect((await postSigned(textWebhook(from, question, 'hello'))).status).toBe(200);
    const send = await waitFor('the reply at the Graph API', async () => sendsTo(from)[0], 20_000);
    const ourId = (send.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data;
    const reply = await waitFor('reply stored as sent', async () => messages().findOne({ _id: ourId as never, status: 'sent' }), 10_000);
    const asked = await waitFor('the question stored', () => inbound(question), 10_000);

    // Meta's documented reaction message: the emoji and the wamid of the message reacted to.
    const hook = whatsappWebhook([whatsappMessageChange({ phoneNumberId: PHONE_NUMBER_ID, from }, { type: 'reaction', reaction: { message_id: reply.providerMessageId, emoji: '👎' } })]);
    expect((await postSigned(hook)).status).toBe(200);

    const prediction = await waitFor('thumbs-down on the prediction log', async () => db.collection('nlu_predictions').findOne({ _id: asked._id, outcome: 'thumbs_down' }), 15_000);
    expect(prediction).toMatchObject({ intent: 'greeting' });
    const turn = await db.collection('bot_turns').findOne({ _id: asked._id });
    expect(turn?.feedback).toBe('down');
    await waitFor('the reaction stored', async () => messages().findOne({ conversationId: asked.conversationId, type: 'reaction' }), 10_000);
    // A reaction is not a question: the bot did not answer it.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sendsTo(from)).toHaveLength(1);
  });

  it('fetches an image through Graph into the media store and references it from the stored message', async () => {
    const from = newCustomer();
    const wamid = newWamid();
    const hex = createHash('sha256').update(PHOTO).digest('hex');
    const res = await postSigned(whatsappWebhook([whatsappImageChange({ phoneNumberId: PHONE_NUMBER_ID, from, wamid }, { id: MEDIA_ID, sha256: Buffer.from(hex, 'hex').toString('base64'), caption: 'my receipt' })]));
    expect(res.status).toBe(200);
    // Media object, then the download URL it named, both with the bearer token.
    const gets = graph.requests.filter((r) => r.method === 'GET');
    expect(gets.map((r) => r.path)).toEqual([`/v23.0/${MEDIA_ID}`, `/whatsapp_business/attachments/${MEDIA_ID}`]);
    expect(gets.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);

    const stored = await waitFor('the image message stored', async () => inbound(wamid), 15_000);
    expect(stored.attachments).toEqual([expect.objectContaining({ kind: 'image', mime: 'image/jpeg', mediaId: MEDIA_ID, storeId: hex, sha256: hex, size: PHOTO.length, caption: 'my receipt' })]);
    // GridFS on the app's database: the bytes behind the id are the customer's photo.
    const object = await db.collection('media_objects').findOne({ _id: `default:${hex}` as never });
    expect(object).toMatchObject({ tenantId: 'default', mime: 'image/jpeg', size: PHOTO.length });
    const chunks = await db.collection('media.chunks').find({ files_id: object?.fileId }).sort({ n: 1 }).toArray();
    expect(Buffer.concat(chunks.map((c) => (c.data as { buffer: Buffer }).buffer)).equals(PHOTO)).toBe(true);
  });

  it('stores a webhook delivered three times once and replies once', async () => {
    const from = newCustomer();
    const wamid = newWamid();
    const payload = textWebhook(from, wamid, 'hello');
    for (let i = 0; i < 3; i++) expect((await postSigned(payload)).status).toBe(200);
    await waitFor('the reply', async () => sendsTo(from).length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 1_500)); // let a duplicate surface before counting
    expect(await messages().countDocuments({ channelMessageId: wamid })).toBe(1);
    expect(sendsTo(from)).toHaveLength(1);
  });

  it('refuses unsigned, wrongly signed and malformed webhooks and produces nothing for them', async () => {
    const from = newCustomer();
    const rejected = newWamid();
    const body = JSON.stringify(textWebhook(from, rejected, 'hello'));
    expect((await post(body)).status).toBe(401);
    expect((await post(body, hubSignature(body, 'another-secret'))).status).toBe(401);
    const altered = body.replace('hello', 'hellO');
    expect((await post(altered, hubSignature(body, SECRET))).status).toBe(401);

    const notJson = '{"object":"whatsapp_business_account","entry":[';
    expect((await post(notJson, hubSignature(notJson, SECRET))).status).toBe(400);
    const wrongShape = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: {} }] }] });
    const bad = await post(wrongShape, hubSignature(wrongShape, SECRET));
    expect(bad.status).toBe(400);
    expect((await bad.json()) as { reason: string }).toMatchObject({ error: 'validation_failed', reason: expect.stringContaining('metadata') });

    // Same customer = same partition: once a later valid message is stored, a produced rejected one would be too.
    const accepted = newWamid();
    expect((await postSigned(textWebhook(from, accepted, 'hello'))).status).toBe(200);
    await waitFor('the valid message stored', async () => inbound(accepted), 15_000);
    expect(await inbound(rejected)).toBeNull();
    // Its reply goes out before the next test injects faults, which would otherwise hit this send.
    await waitFor('the reply to the valid message', async () => sendsTo(from).length === 1, 20_000);
  });

  it('waits out a 429 with Retry-After and then delivers the reply once', async () => {
    const from = newCustomer();
    graph.inject({ kind: 'throttle', retryAfterSeconds: 1 });
    expect((await postSigned(textWebhook(from, newWamid(), 'hello'))).status).toBe(200);
    await waitFor('the reply accepted', async () => sendsTo(from).some((r) => r.status === 200), 20_000);
    const [throttled, accepted] = sendsTo(from);
    expect(throttled.status).toBe(429);
    expect(accepted.at - throttled.at).toBeGreaterThanOrEqual(1_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sendsTo(from).filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('retries 5xx answers and delivers once', async () => {
    const from = newCustomer();
    graph.inject({ kind: 'server-error', status: 503 }, 2);
    expect((await postSigned(textWebhook(from, newWamid(), 'hello'))).status).toBe(200);
    await waitFor('the reply accepted', async () => sendsTo(from).some((r) => r.status === 200), 20_000);
    expect(sendsTo(from).map((r) => r.status)).toEqual([503, 503, 200]);
    const ourId = (sendsTo(from)[2].body as { biz_opaque_callback_data: string }).biz_opaque_callback_data;
    await waitFor('reply stored as sent', async () => messages().findOne({ _id: ourId as never, status: 'sent' }), 10_000);
  });

  it('sends the approved template instead of free text when the customer wrote more than 24 h ago', async () => {
    const from = newCustomer();
    // A webhook Meta kept retrying for a day: the conversation's last inbound time is 25 h old.
    expect((await postSigned(textWebhook(from, newWamid(), 'hello', Date.now() - 25 * 3_600_000))).status).toBe(200);
    const send = await waitFor('the template at the Graph API', async () => sendsTo(from)[0], 20_000);
    expect(send.body).toMatchObject({
      type: 'template',
      template: { name: 'reengage', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: REPLY }] }] },
    });
    expect(send.body).not.toHaveProperty('text');
  });
});
