import { createHash } from 'node:crypto';
import { createConnection, Connection } from 'mongoose';
import { ConversationEvent, OutboundCommand, TOPICS, outboundTopic } from '@omni/contracts';
import { GridFsMediaStore, customerKey, sha256Hex } from '@omni/persistence';
import type { AgentDoc, AgentSlotDoc, BotTurnDoc, ConversationDoc, MessageDoc, NluDatasetDoc, OwnershipClaimDoc } from '@omni/persistence';
import { FakeCustomer } from '../../apps/router/test/events';
import { KafkaHarness } from '../../apps/router/test/kafka-harness';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';

const ADMIN_KEY = 'test-admin-key-of-default-tenant';
const OTHER_KEY = 'test-key-of-the-other-tenant-0001';
const AGENT_KEY = 'test-agent-key-of-default-tenant';
const OUT = outboundTopic('web');
const OUT_WA = outboundTopic('whatsapp');
const UPLOAD_LIMIT = 64 * 1024;
/** The router's public base URL as providers would reach it (the test rewrites it to the local port). */
const LINK_BASE = 'https://gateway.example.test';

function conversation(id: string, tenantId: string, state: string, extra: Record<string, unknown> = {}) {
  const at = new Date();
  return {
    _id: id, tenantId, region: 'local', channel: 'web', accountId: 'web-default', customerId: `cu-${id}`, channelUserId: `u-${id}`,
    language: 'en', state, version: state === 'bot' ? 0 : 1, since: at, lastMessageAt: at, createdAt: at, updatedAt: at, ...extra,
  };
}

/** The agent REST API of the built router: OpenAPI, API keys per tenant, isolation, validation, actions. */
describe('router agent API', () => {
  const name = uniqueName('router-api');
  const kafka = new KafkaHarness(KAFKA_BROKERS, `${name}.`);
  let router: RunningApp;
  let db: Connection;
  const call = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const { key = ADMIN_KEY, ...rest } = init;
    return fetch(`${router.url}${path}`, {
      ...rest,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...(rest.headers ?? {}) },
    });
  };

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
    const at = new Date();
    await db.collection('api_keys').insertMany([
      { _id: createHash('sha256').update(OTHER_KEY).digest('hex') as never, tenantId: 'other', name: 'other', role: 'admin', createdAt: at },
      { _id: createHash('sha256').update(AGENT_KEY).digest('hex') as never, tenantId: 'default', name: 'agent desk', role: 'agent', agentId: 'ana', createdAt: at },
    ]);
    await db.collection('conversations').insertMany([
      conversation('conv-bot', 'default', 'bot'),
      conversation('conv-mine', 'default', 'assigned', { agentId: 'ana', groupId: 'default' }),
      conversation('conv-other', 'other', 'queued', { groupId: 'default' }),
    ] as never[]);
    await db.collection<OwnershipClaimDoc>('conversation_ownership').insertOne({
      _id: 'conv-mine:1', tenantId: 'default', conversationId: 'conv-mine', version: 1, state: 'assigned', since: at, agentId: 'ana', groupId: 'default', cause: 'seed', at,
    });
    await db.collection<AgentDoc>('agents').insertOne({ _id: 'ana', tenantId: 'default', name: 'Ana', groupIds: ['default'], languages: ['en'], maxConcurrent: 2, presence: 'online', createdAt: at, updatedAt: at });
    await db.collection<AgentSlotDoc>('agent_slots').insertOne({ _id: 'ana:0', tenantId: 'default', agentId: 'ana', slot: 0, conversationId: 'conv-mine', since: at });
    router = await startApp('router', {
      ...stackEnv({ prefix: name, db: name }), API_KEY: ADMIN_KEY, ROUTER_DISPATCH_INTERVAL_MS: '0',
      MEDIA_MAX_BYTES: String(UPLOAD_LIMIT), MEDIA_LINK_BASE_URL: LINK_BASE, MEDIA_LINK_SECRET: 'test-media-link-secret-0123456789abcdef',
    });
    await kafka.start([OUT, OUT_WA, TOPICS.conversation, TOPICS.aiRequest]);
  }, 90_000);

  afterAll(async () => {
    await kafka.stop();
    await router?.stop();
    await db?.close();
  });

  it('serves the OpenAPI document and its UI', async () => {
    const doc = (await (await fetch(`${router.url}/docs-json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/v1/conversations', '/v1/conversations/{id}', '/v1/conversations/{id}/messages', '/v1/conversations/{id}/resolve',
      '/v1/agents', '/v1/agents/{id}/presence', '/v1/skill-groups',
    ]));
    const ui = await fetch(`${router.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('refuses requests without a valid key', async () => {
    expect((await call('/v1/conversations', { key: null })).status).toBe(401);
    const bad = await call('/v1/conversations', { key: 'not-a-key-of-anyone' });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('keeps tenants apart: another tenant’s conversation is 404 and never listed', async () => {
    expect((await call('/v1/conversations/conv-mine', { key: OTHER_KEY })).status).toBe(404);
    expect((await call('/v1/conversations/conv-mine/messages', { key: OTHER_KEY })).status).toBe(404);
    expect((await call('/v1/conversations/conv-mine/resolve', { key: OTHER_KEY, method: 'POST' })).status).toBe(404);
    expect((await call('/v1/conversations/conv-other')).status).toBe(404);
    const mine = (await (await call('/v1/conversations')).json()) as { _id: string }[];
    expect(mine.map((c) => c._id).sort()).toEqual(['conv-bot', 'conv-mine']);
    const theirs = (await (await call('/v1/conversations', { key: OTHER_KEY })).json()) as { _id: string }[];
    expect(theirs.map((c) => c._id)).toEqual(['conv-other']);
    const assigned = (await (await call('/v1/conversations?state=assigned&agentId=ana')).json()) as { _id: string }[];
    expect(assigned.map((c) => c._id)).toEqual(['conv-mine']);
    expect((await call('/v1/agents/ana', { key: OTHER_KEY })).status).toBe(404);
  });

  it('answers invalid input with 400 and the reasons', async () => {
    const res = await call('/v1/conversations/conv-mine/messages', { method: 'POST', body: JSON.stringify({ text: '', extra: 1 }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { path: string }[] };
    expect(body.error).toBe('validation_failed');
    expect(body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['text']));
    // An admin key acts as no agent, so it names the one it writes for; an agent key's agent is its own.
    const unnamed = await call('/v1/conversations/conv-mine/messages', { method: 'POST', body: JSON.stringify({ text: 'hi' }) });
    expect(((await unnamed.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['agentId']);
    expect((await call('/v1/conversations/conv-mine/messages', { key: AGENT_KEY, method: 'POST', body: JSON.stringify({ agentId: 'bob', text: 'hi' }) })).status).toBe(403);
    expect((await call('/v1/conversations?state=sleeping')).status).toBe(400);
    const groups = await call('/v1/skill-groups', { method: 'PUT', body: JSON.stringify([{ id: 'g1', hours: { timeZone: 'Mars/Olympus', weekly: [] } }]) });
    expect(groups.status).toBe(400);
    expect(JSON.stringify(await groups.json())).toContain('0.hours.timeZone');
    expect((await call('/v1/agents/ana/presence', { method: 'PUT', body: JSON.stringify({ presence: 'asleep' }) })).status).toBe(400);
  });

  it('sends an agent reply through the channel once per Idempotency-Key, only from the assigned agent', async () => {
    const send = (agentId: string) => call('/v1/conversations/conv-mine/messages', {
      method: 'POST', headers: { 'idempotency-key': 'req-1' }, body: JSON.stringify({ agentId, text: 'Hi, Ana here. Let me check.' }),
    });
    const first = await send('ana');
    expect(first.status).toBe(201);
    const again = await send('ana');
    const [a, b] = (await Promise.all([first.json(), again.json()])) as { _id: string; author: { kind: string } }[];
    expect(b?._id).toBe(a?._id);
    expect(a?.author).toEqual({ kind: 'agent', id: 'ana' });
    const out = await waitFor('outbound command', async () => kafka.events<OutboundCommand>(OUT, (e) => e.data.messageId === a?._id)[0], 10_000);
    expect(out.data).toMatchObject({ author: { kind: 'agent', id: 'ana' }, recipient: { channelUserId: 'u-conv-mine' }, message: { text: 'Hi, Ana here. Let me check.' } });
    const history = (await (await call('/v1/conversations/conv-mine/messages')).json()) as { _id: string }[];
    expect(history.map((m) => m._id)).toEqual([a?._id]);
    expect((await send('bob')).status).toBe(409);
    expect((await call('/v1/conversations/conv-bot/messages', { method: 'POST', body: JSON.stringify({ agentId: 'ana', text: 'hi' }) })).status).toBe(409);
  });

  it('lets an agent upload a file and send it with a URL attachment; providers fetch the file by signed link', async () => {
    // The conversation added here is removed at the end: other tests list the tenant's conversations.
    const pdf = Buffer.from(`%PDF-1.7 invoice for the customer ${name}`);
    const upload = (body: Buffer | string, type: string, key: string | null = AGENT_KEY, q = '?filename=invoice.pdf') =>
      call(`/v1/media${q}`, { key, method: 'POST', body, headers: { 'content-type': type } });
    expect((await upload(pdf, 'application/pdf', null)).status).toBe(401);
    expect((await upload('<script>alert(1)</script>', 'text/html')).status).toBe(415);
    expect((await upload(Buffer.alloc(UPLOAD_LIMIT + 1, 1), 'image/png')).status).toBe(413);
    expect((await upload(pdf, 'application/pdf', AGENT_KEY, '?filename=../../etc/passwd')).status).toBe(400);
    const uploaded = await upload(pdf, 'application/pdf');
    expect(uploaded.status).toBe(201);
    const stored = (await uploaded.json()) as { storeId: string; size: number; mime: string };
    expect(stored).toEqual({ storeId: sha256Hex(pdf), size: pdf.length, mime: 'application/pdf' });
    const back = await call(`/v1/media/${stored.storeId}`, { key: AGENT_KEY });
    expect(back.headers.get('content-type')).toBe('application/pdf');
    expect(back.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''invoice.pdf");
    expect(Buffer.from(await back.arrayBuffer()).equals(pdf)).toBe(true);
    expect((await call(`/v1/media/${stored.storeId}`, { key: OTHER_KEY })).status).toBe(404);

    // A WhatsApp conversation Ana holds (the web chat's frames carry text only: files there are refused).
    const at = new Date();
    await db.collection('conversations').insertOne(conversation('conv-wa', 'default', 'assigned', { channel: 'whatsapp', accountId: '106540352242922', channelUserId: '16505551234', agentId: 'ana', groupId: 'default' }) as never);
    await db.collection<OwnershipClaimDoc>('conversation_ownership').insertOne({
      _id: 'conv-wa:1', tenantId: 'default', conversationId: 'conv-wa', version: 1, state: 'assigned', since: at, agentId: 'ana', groupId: 'default', cause: 'seed', at,
    });
    const reply = (body: unknown, conv = 'conv-wa') => call(`/v1/conversations/${conv}/messages`, { key: AGENT_KEY, method: 'POST', body: JSON.stringify({ agentId: 'ana', ...(body as object) }) });
    expect((await reply({ attachments: [{ storeId: stored.storeId }] }, 'conv-mine')).status).toBe(400);
    expect((await reply({ attachments: [{ storeId: 'f'.repeat(64) }] })).status).toBe(400); // not uploaded
    expect((await reply({ attachments: [{ url: 'http://cdn.example.com/a.png', mime: 'image/png' }] })).status).toBe(400); // https only
    expect((await reply({ attachments: [{ url: 'https://cdn.example.com/a.png' }] })).status).toBe(400); // mime needed with a URL
    const sent = await reply({
      text: 'Here is your invoice and the map',
      attachments: [{ storeId: stored.storeId }, { url: 'https://cdn.example.com/map.png', mime: 'image/png', caption: 'our shop' }],
    });
    expect(sent.status).toBe(201);
    const message = (await sent.json()) as { _id: string; type: string; attachments: Record<string, unknown>[] };
    expect(message.type).toBe('document');
    // The stored copy keeps the store id, not the signed link (a credential until it expires).
    expect(message.attachments[0]).toEqual({ kind: 'document', mime: 'application/pdf', size: pdf.length, sha256: stored.storeId, storeId: stored.storeId, filename: 'invoice.pdf' });
    const out = await waitFor('outbound command with attachments', async () => kafka.events<OutboundCommand>(OUT_WA, (e) => e.data.messageId === message._id)[0], 10_000);
    expect(out.data).toMatchObject({ channel: 'whatsapp', recipient: { channelUserId: '16505551234' }, author: { kind: 'agent', id: 'ana' } });
    expect(out.data.message).toMatchObject({ type: 'document', text: 'Here is your invoice and the map' });
    const [file, map] = out.data.message.attachments;
    expect(map).toEqual({ kind: 'image', mime: 'image/png', url: 'https://cdn.example.com/map.png', caption: 'our shop' });
    expect(file).toMatchObject({ kind: 'document', mime: 'application/pdf', storeId: stored.storeId, filename: 'invoice.pdf' });
    expect(file.url?.startsWith(`${LINK_BASE}/media-links/default/${stored.storeId}?exp=`)).toBe(true);

    // What a provider does with the link: fetch it, without any API key.
    const link = new URL(file.url as string);
    const fetched = await fetch(`${router.url}${link.pathname}${link.search}`);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(pdf)).toBe(true);
    const tampered = new URL(link);
    tampered.searchParams.set('exp', String(Number(link.searchParams.get('exp')) + 3600));
    expect((await fetch(`${router.url}${tampered.pathname}${tampered.search}`)).status).toBe(404);
    expect((await fetch(`${router.url}${link.pathname.replace('/default/', '/other/')}${link.search}`)).status).toBe(404);

    // An email attaches the bytes from the store: a URL (which the mailer would fetch) is refused, by name.
    await db.collection('conversations').insertOne(conversation('conv-mail', 'default', 'assigned', { channel: 'email', accountId: 'support@shop.test', channelUserId: 'carla@example.com', agentId: 'ana', groupId: 'default' }) as never);
    await db.collection<OwnershipClaimDoc>('conversation_ownership').insertOne({
      _id: 'conv-mail:1', tenantId: 'default', conversationId: 'conv-mail', version: 1, state: 'assigned', since: at, agentId: 'ana', groupId: 'default', cause: 'seed', at,
    });
    const byUrl = await reply({ text: 'the map', attachments: [{ storeId: stored.storeId }, { url: 'https://cdn.example.com/map.png', mime: 'image/png' }] }, 'conv-mail');
    expect([byUrl.status, await byUrl.text()]).toEqual([400, expect.stringContaining('attachments.1.storeId')]);
    expect((await reply({ text: 'your invoice', attachments: [{ storeId: stored.storeId }] }, 'conv-mail')).status).toBe(201);
    await db.collection('conversations').deleteMany({ _id: { $in: ['conv-wa', 'conv-mail'] as never[] } });
  });

  it('sets presence, manages skill groups, and resolving frees the agent’s slot', async () => {
    const away = await call('/v1/agents/ana/presence', { method: 'PUT', body: JSON.stringify({ presence: 'away' }) });
    expect(await away.json()).toMatchObject({ _id: 'ana', presence: 'away' });
    expect((await call('/v1/agents/nobody/presence', { method: 'PUT', body: JSON.stringify({ presence: 'online' }) })).status).toBe(404);
    const put = await call('/v1/skill-groups', { method: 'PUT', body: JSON.stringify([{ id: 'sales', languages: ['es'] }, { id: 'support' }]) });
    expect((await put.json() as { id: string }[]).map((g) => g.id)).toEqual(['sales', 'support']);
    expect((await (await call('/v1/skill-groups', { key: OTHER_KEY })).json() as { id: string }[]).map((g) => g.id)).toEqual(['default']);

    expect(await (await call('/v1/agents/ana')).json()).toMatchObject({ activeConversations: ['conv-mine'] });
    const resolved = await call('/v1/conversations/conv-mine/resolve', { method: 'POST' });
    expect(resolved.status).toBe(201);
    expect(await resolved.json()).toMatchObject({ state: 'resolved', version: 2, agentId: 'ana', resolvedBy: 'agent' });
    expect(await (await call('/v1/agents/ana')).json()).toMatchObject({ activeConversations: [] });
    expect((await call('/v1/conversations/conv-mine/resolve', { method: 'POST' })).status).toBe(409);
    await waitFor('resolved event', async () => kafka.events<ConversationEvent>(TOPICS.conversation, (e) => e.data.conversationId === 'conv-mine' && e.data.kind === 'resolved').length === 1, 10_000);
  });

  it('takes over from the bot, transfers to a queue and between agents, moving the slots along', async () => {
    const bob = await call('/v1/agents/bob', { method: 'PUT', body: JSON.stringify({ name: 'Bob', groupIds: ['vip'], maxConcurrent: 1, presence: 'online' }) });
    expect(await bob.json()).toMatchObject({ _id: 'bob', tenantId: 'default', maxConcurrent: 1 });
    expect((await call('/v1/agents/bob', { key: OTHER_KEY, method: 'PUT', body: JSON.stringify({ name: 'Mallory', maxConcurrent: 1 }) })).status).toBe(400);
    const post = (path: string, body: unknown) => call(path, { method: 'POST', body: JSON.stringify(body) });
    const slotsOf = async (agent: string) => ((await (await call(`/v1/agents/${agent}`)).json()) as { activeConversations: string[] }).activeConversations;

    expect(await (await post('/v1/conversations/conv-bot/assign', { agentId: 'bob' })).json()).toMatchObject({ state: 'assigned', agentId: 'bob', groupId: 'vip', version: 1 });
    expect(await slotsOf('bob')).toEqual(['conv-bot']);
    expect((await post('/v1/conversations/conv-bot/assign', { agentId: 'nobody' })).status).toBe(404);
    expect((await post('/v1/conversations/conv-other/assign', { agentId: 'bob' })).status).toBe(404);

    // Ana is away, so the queue keeps it; Bob's slot is free again.
    expect(await (await post('/v1/conversations/conv-bot/transfer', { groupId: 'default' })).json()).toMatchObject({ state: 'queued', groupId: 'default', version: 2 });
    expect(await slotsOf('bob')).toEqual([]);
    expect(await (await post('/v1/conversations/conv-bot/assign', { agentId: 'ana', groupId: 'default' })).json()).toMatchObject({ state: 'assigned', agentId: 'ana', version: 3 });
    expect(await (await post('/v1/conversations/conv-bot/assign', { agentId: 'bob', reason: 'VIP customer' })).json()).toMatchObject({ state: 'assigned', agentId: 'bob', version: 4 });
    expect(await slotsOf('ana')).toEqual([]);
    expect(await slotsOf('bob')).toEqual(['conv-bot']);
    const claims = await db.collection<OwnershipClaimDoc>('conversation_ownership').find({ conversationId: 'conv-bot' }).sort({ version: 1 }).toArray();
    expect(claims.map((c) => [c.version, c.state, c.agentId ?? null])).toEqual([[1, 'assigned', 'bob'], [2, 'queued', null], [3, 'assigned', 'ana'], [4, 'assigned', 'bob']]);
    expect(claims[3]?.routing?.why).toEqual(['VIP customer']);
  });

  it('exports and erases a customer on request (admin keys only), and a new message reaches them again', async () => {
    const userId = `carla-${name}`;
    const carla = new FakeCustomer(kafka, userId);
    const customerId = customerKey('default', 'web', 'web-default', userId);
    // Her photos, stored as a channel app stores them (GridFS on the shared database, ADR 0420): one only
    // she sent, and one whose bytes another customer sent too (the store keeps one copy per tenant).
    const store = new GridFsMediaStore(db);
    const ownPhoto = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`carla's passport ${name}`), Buffer.alloc(300_000, 7)]);
    const sharedPhoto = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`a meme everyone sends ${name}`)]);
    const own = await store.put('default', ownPhoto, { mime: 'image/jpeg', filename: 'passport.jpg', source: 'web:test' });
    const shared = await store.put('default', sharedPhoto, { mime: 'image/jpeg', source: 'web:test' });
    const image = (s: { storeId: string; size: number }) => ({ kind: 'image' as const, mime: 'image/jpeg', size: s.size, mediaId: `m-${s.storeId.slice(0, 8)}`, storeId: s.storeId });
    const asked = await carla.say('Hi, I am Carla (carla@example.com), where is order 12345?');
    await waitFor('stored inbound', async () => (await db.collection<MessageDoc>('messages').findOne({ _id: asked })) !== null, 15_000);
    await carla.understood(asked, { intent: { name: 'order_status', confidence: 0.9 }, answer: { text: 'Carla, order 12345 ships tomorrow.', articleId: 'kb-order' } });
    const messagesOf = () => db.collection<MessageDoc>('messages').find({ conversationId: carla.conversationId }).toArray();
    await waitFor('bot reply stored', async () => (await messagesOf()).some((m) => m.direction === 'outbound'), 15_000);
    await waitFor('bot turn stored', async () => (await db.collection<BotTurnDoc>('bot_turns').countDocuments({ conversationId: carla.conversationId })) === 1, 15_000);
    // What older versions kept as the AI context's copy of the last turns: erasure still removes it.
    await db.collection('conversation_recent').insertOne({ _id: carla.conversationId as never, tenantId: 'default', turns: [{ id: asked, role: 'customer', text: 'Hi, I am Carla (carla@example.com)', at: new Date() }] });
    const dan = new FakeCustomer(kafka, `dan-${name}`);
    const dansPhoto = await dan.say('same meme', { type: 'image', attachments: [image(shared)] });
    const sentPhotos = await carla.say('my passport and a meme', { type: 'image', attachments: [image(own), image(shared)] });
    await waitFor('photos stored', async () => (await db.collection<MessageDoc>('messages').countDocuments({ _id: { $in: [sentPhotos, dansPhoto] } })) === 2, 15_000);

    // An agent's correction made her words a training example of the tenant (as the AI worker stores it, ADR 0104).
    const example = (text: string, conversationId?: string) => ({ text, label: 'order_status', lang: 'en', ...(conversationId ? { conversationId } : {}) });
    const dataset = (version: number, examples: ReturnType<typeof example>[]) => ({
      _id: `default:${version}`, tenantId: 'default', version, examples, kb: null, options: {}, hash: `h${version}`, createdAt: new Date(), createdBy: 'agent-correction',
    });
    await db.collection('nlu_datasets').insertMany([
      dataset(1, [example('where is my parcel'), example('hi i am carla <email> where is order <order>', carla.conversationId)]),
      dataset(2, [example('where is my parcel'), example('hi i am carla <email> where is order <order>', carla.conversationId), example('track my order', 'conv-bot')]),
    ] as never[]);

    const path = `/v1/customers/${customerId}/personal-data`;
    expect((await call(path, { key: OTHER_KEY })).status).toBe(404);
    expect((await call(path, { key: AGENT_KEY })).status).toBe(403);
    expect((await call(path, { key: AGENT_KEY, method: 'DELETE' })).status).toBe(403);
    const exported = await call(path);
    expect(exported.status).toBe(200);
    const data = (await exported.json()) as { customer: { channelUserId: string }; conversations: { _id: string }[]; messages: { text?: string }[]; media: unknown[] };
    expect(data.customer.channelUserId).toBe(userId);
    expect(data.conversations.map((c) => c._id)).toEqual([carla.conversationId]);
    expect(data.messages.map((m) => m.text)).toEqual(['Hi, I am Carla (carla@example.com), where is order 12345?', 'Carla, order 12345 ships tomorrow.', 'my passport and a meme']);
    expect(data.media).toEqual([
      { storeId: own.storeId, messageId: sentPhotos, conversationId: carla.conversationId, direction: 'inbound', kind: 'image', mime: 'image/jpeg', size: ownPhoto.length, href: `/v1/media/${own.storeId}` },
      { storeId: shared.storeId, messageId: sentPhotos, conversationId: carla.conversationId, direction: 'inbound', kind: 'image', mime: 'image/jpeg', size: sharedPhoto.length, href: `/v1/media/${shared.storeId}` },
    ]);
    // The export's links work with an agent's key too, and only in the tenant.
    const photo = await call(`/v1/media/${own.storeId}`, { key: AGENT_KEY });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await photo.arrayBuffer()).equals(ownPhoto)).toBe(true);
    expect((await call(`/v1/media/${own.storeId}`, { key: OTHER_KEY })).status).toBe(404);

    const gridFiles = (sha: string) => db.collection('media.files').find({ 'metadata.tenantId': 'default', 'metadata.sha256': sha }).toArray();
    const ownFile = (await gridFiles(own.storeId))[0];
    expect(await db.collection('media.chunks').countDocuments({ files_id: ownFile?._id })).toBe(2); // 300 kB: two 255 kB chunks
    const erased = await call(path, { method: 'DELETE' });
    expect(erased.status).toBe(200);
    const receipt = (await erased.json()) as { subject: string; counts: Record<string, number>; media: Record<string, number>; related: Record<string, number> };
    expect(receipt.counts).toEqual({ customers: 1, conversations: 1, messages: 3, botTurns: 1 });
    // Her words left every version of the training data; the scrubbed latest became version 3, which the workers retrain on.
    expect(receipt.related.trainingExamples).toBe(1);
    const versions = await db.collection<NluDatasetDoc>('nlu_datasets').find({ tenantId: 'default' }).sort({ version: 1 }).toArray();
    expect(versions.map((v): unknown[] => [v.version, v.examples.map((e) => e.text), v.createdBy])).toEqual([
      [1, ['where is my parcel'], 'agent-correction'],
      [2, ['where is my parcel', 'track my order'], 'agent-correction'],
      [3, ['where is my parcel', 'track my order'], 'erasure'],
    ]);
    // Her own photo's bytes are gone from GridFS; the photo another customer sent too stays for them.
    expect(receipt.media).toEqual({ deleted: 1, shared: 1 });
    expect(await gridFiles(own.storeId)).toHaveLength(0);
    expect(await db.collection('media.chunks').countDocuments({ files_id: ownFile?._id })).toBe(0);
    expect(await db.collection('media_objects').countDocuments({ _id: `default:${own.storeId}` as never })).toBe(0);
    expect((await call(`/v1/media/${own.storeId}`, { key: AGENT_KEY })).status).toBe(404);
    expect(sha256Hex(Buffer.from(await (await call(`/v1/media/${shared.storeId}`, { key: AGENT_KEY })).arrayBuffer()))).toBe(shared.storeId);
    expect(receipt.subject).toMatch(/^erased-/);
    expect((await call(path)).status).toBe(404);
    expect((await call(path, { method: 'DELETE' })).status).toBe(404);
    const left = JSON.stringify({
      messages: await messagesOf(),
      conversation: await db.collection<ConversationDoc>('conversations').findOne({ _id: carla.conversationId }),
      turns: await db.collection('bot_turns').find({ conversationId: carla.conversationId }).toArray(),
      recent: await db.collection('conversation_recent').find({ _id: carla.conversationId as never }).toArray(),
      customer: await db.collection('customers').findOne({ _id: customerId as never }),
      log: await db.collection('privacy_requests').find({}).toArray(),
      training: await db.collection('nlu_datasets').find({}).toArray(),
    });
    for (const personal of ['carla', 'Carla', '12345', 'example.com', customerId, own.storeId, shared.storeId]) expect(left).not.toContain(personal);
    const after = await messagesOf();
    expect(after).toHaveLength(3);
    expect(after.every((m) => m.text === undefined && m.attachments.length === 0 && m.ai === undefined && m.redactedAt !== undefined)).toBe(true);
    // Another customer's data is untouched.
    expect(await db.collection<ConversationDoc>('conversations').findOne({ _id: 'conv-bot' })).toMatchObject({ channelUserId: 'u-conv-bot' });

    // A message she wrote before the erasure, delivered only now (a retry, a replayed dead letter), brings nothing back.
    const late = await carla.say('written before the erasure', { timestamp: new Date(Date.now() - 60_000).toISOString() });
    // Writing again is a new contact: the conversation reaches Carla under her new message.
    await carla.say('Me again');
    await waitFor('identity restored by the new message', async () => (await db.collection<ConversationDoc>('conversations').findOne({ _id: carla.conversationId }))?.channelUserId === userId, 15_000);
    await waitFor('customer known again', async () => (await call(path)).status === 200, 15_000);
    const again = (await (await call(path)).json()) as { messages: { text?: string }[] };
    expect(again.messages.map((m) => m.text)).toEqual([undefined, undefined, undefined, 'Me again']);
    expect(await db.collection<MessageDoc>('messages').countDocuments({ _id: late })).toBe(0);
  });
});
