import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Connection, createConnection } from 'mongoose';
import { hubSignature } from '@omni/channels';
import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';
import { apiCall, onboardTenant } from '../support/tenancy';
import { whatsappTextChange, whatsappWebhook } from '../support/webhooks';
import { readRawRecords } from '../support/kafka-records';
import { openWidgetSocket } from '../support/web-chat';

const OPERATOR_KEY = `operator-${randomBytes(16).toString('hex')}`;
const KEK = `k1:${randomBytes(32).toString('base64')}`;
const APP_SECRET = randomBytes(16).toString('hex');
const NUMBERS = { acme: '730000000000001', globex: '740000000000001' };
const ANA = { phone: '351911222333', text: 'Olá, sou a Ana Shredded, o meu IBAN é PT50000201231234567890154' };
const BRUNO = { phone: '351911222444', text: 'hello from a tenant that did not opt in' };

/**
 * Crypto-shredding through the real apps (ADR 0501): a tenant opts in through the API; channel-whatsapp
 * seals its customer's message on omni.inbound.v1, the router opens and stores it; the erasure through
 * the API destroys the conversation's key and says `shredded`; the raw record on Kafka then holds
 * nothing of the customer, while another tenant's record (not opted in) is plain JSON as before.
 */
describe('Kafka crypto-shredding through channel-whatsapp and the router', () => {
  const name = uniqueName('shred-e2e');
  let router: RunningApp;
  let wa: RunningApp;
  let graph: GraphApiServer;
  let db: Connection;
  const keys: Record<string, string> = {};
  const call = (method: string, path: string, key: string, body?: unknown) => apiCall(router.url, method, path, key, body);

  beforeAll(async () => {
    graph = await startGraphApiServer({ numberTokens: { [NUMBERS.acme]: `EAAG${randomBytes(8).toString('hex')}`, [NUMBERS.globex]: `EAAG${randomBytes(8).toString('hex')}` } });
    const env = { ...stackEnv({ prefix: name, db: name }), SECRETS_KEK: KEK, API_KEY: OPERATOR_KEY, WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_API_BASE_URL: graph.url };
    router = await startApp('router', { ...env, ROUTER_DISPATCH_INTERVAL_MS: '0' });
    wa = await startApp('channel-whatsapp' as AppName, env);
    db = await createConnection(mongoUri(name)).asPromise();
    for (const tenant of ['acme', 'globex'] as const) {
      keys[tenant] = await onboardTenant(router.url, OPERATOR_KEY, tenant);
      const r = await call('POST', `/v1/tenants/${tenant}/channel-accounts`, keys[tenant], { channel: 'whatsapp', phoneNumberId: NUMBERS[tenant], accessToken: `EAAG${randomBytes(8).toString('hex')}`, appSecret: APP_SECRET });
      expect(r.status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await wa?.stop();
    await router?.stop();
    await graph?.close();
    await db?.close();
  });

  it('seals an opted-in tenant’s inbound message, stores it readable, and shreds it on erasure', async () => {
    const optIn = await call('PATCH', '/v1/tenants/acme', OPERATOR_KEY, { kafkaShredding: true });
    expect(optIn.status).toBe(200);
    expect(optIn.json).toMatchObject({ kafkaShredding: true, kafkaShreddingSince: expect.any(String) });

    const body = JSON.stringify(whatsappWebhook([whatsappTextChange({ phoneNumberId: NUMBERS.acme, from: ANA.phone, text: ANA.text }), whatsappTextChange({ phoneNumberId: NUMBERS.globex, from: BRUNO.phone, text: BRUNO.text })]));
    expect((await fetch(`${wa.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(body, APP_SECRET) }, body })).status).toBe(200);

    // The router opened the sealed event: the message is stored with its text.
    const stored = await waitFor('both messages stored', async () => {
      const list = await db.collection('messages').find({ direction: 'inbound' }).toArray();
      return list.length >= 2 ? list : undefined;
    }, 30_000, 250);
    expect(stored.map((m) => m.text as string).sort()).toEqual([ANA.text, BRUNO.text].sort());
    const conversation = (await call('GET', '/v1/conversations?channel=whatsapp', keys.acme)).json as { customerId: string }[];
    expect(await db.collection('conversation_keys').countDocuments({ tenantId: 'acme' })).toBe(1);
    expect(await db.collection('conversation_keys').countDocuments({ tenantId: 'globex' })).toBe(0);

    const erased = await call('DELETE', `/v1/customers/${conversation[0].customerId}/personal-data`, keys.acme);
    expect(erased.status).toBe(200);
    expect((erased.json as { stores: { store: string }[] }).stores.find((s) => s.store === 'kafka')).toMatchObject({ action: 'shredded', count: 1 });
    expect(await db.collection('conversation_keys').countDocuments({})).toBe(0);

    // The raw records on the topic.
    const kafka = new Kafka({ brokers: KAFKA_BROKERS.split(','), clientId: `${name}-scan`, logLevel: 0 });
    const records = (await readRawRecords(kafka, `${name}.omni.inbound.v1`, 2, `${name}-scan`)).map((r) => ({ tenant: r.headers.ce_tenantid, value: r.value, headers: JSON.stringify(r.headers) }));
    const acme = records.filter((r) => r.tenant === 'acme');
    expect(acme).toHaveLength(1);
    expect(acme[0].headers).toContain('application/vnd.omni.sealed');
    const readable = `${acme[0].value.toString('utf8')}${acme[0].value.toString('latin1')}${acme[0].headers}`;
    for (const s of [ANA.phone, 'Ana Shredded', 'PT50000201231234567890154', 'IBAN']) expect(readable).not.toContain(s);
    // The tenant that did not opt in is plain JSON, as the ★ contract says.
    expect(JSON.parse(records.find((r) => r.tenant === 'globex')?.value.toString('utf8') ?? '{}')).toMatchObject({ message: { text: BRUNO.text } });
  }, 90_000);
});

/**
 * Every sealed type through the real apps (ADR 0501, issue 15): the bootstrap tenant opts in; a web
 * visitor writes; channel-web seals the inbound message, the router opens it and seals its AI request,
 * the AI worker opens that and seals its result, the router opens it and seals the bot's reply,
 * channel-web opens the reply and delivers it. Every raw record of the conversation on the four topics
 * carries the conversation's key id and none of the visitor's words or the bot's.
 */
describe('Kafka crypto-shredding through channel-web, the router and the AI worker', () => {
  const name = uniqueName('shred-web');
  const apps: RunningApp[] = [];
  const TEXT = 'hello, I am Dora Sealed-Web and my IBAN is PT50000201231234567890154';

  beforeAll(async () => {
    const env = { ...stackEnv({ prefix: name, db: name }), SECRETS_KEK: KEK, API_KEY: OPERATOR_KEY };
    apps.push(await startApp('router', { ...env, ROUTER_DISPATCH_INTERVAL_MS: '0' }));
    apps.push(...await Promise.all([startApp('ai-worker', env), startApp('channel-web', env)]));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
  });

  it('seals the inbound message, the AI request, the AI result and the reply; every app opens them and the visitor gets the answer', async () => {
    const [router, , web] = apps;
    expect((await apiCall(router.url, 'PATCH', '/v1/tenants/default', OPERATOR_KEY, { kafkaShredding: true })).status).toBe(200);

    const socket = await openWidgetSocket(web.url);
    socket.ws.send(JSON.stringify({ type: 'hello' }));
    expect((await socket.next()).type).toBe('welcome');
    socket.ws.send(JSON.stringify({ type: 'message', clientMessageId: 'sealed0001', text: TEXT }));
    let reply: { type: string; message?: { text?: string; author?: string } } | undefined;
    while (!reply) {
      const f = (await socket.next()) as { type: string; message?: { text?: string; direction?: string } };
      if (f.type === 'message' && f.message?.direction === 'outbound') reply = f;
    }
    socket.ws.close();
    // The bot's answer came back through every app (each opened what it consumed); its words are looked for below.
    const answer = reply.message?.text ?? '';
    expect(answer.length).toBeGreaterThan(20);

    const kafka = new Kafka({ brokers: KAFKA_BROKERS.split(','), clientId: `${name}-scan`, logLevel: 0 });
    const topics = ['omni.inbound.v1', 'omni.ai.request.v1', 'omni.ai.result.v1', 'omni.outbound.web.v1'];
    const records = (await Promise.all(topics.map((t) => readRawRecords(kafka, `${name}.${t}`, 1, `${name}-scan-${t}`)))).flat();
    const keyIds = new Set(records.map((r) => r.headers.ce_datakey));
    expect(keyIds.size).toBe(1);
    expect([...keyIds][0]).toMatch(/^dk_/);
    for (const r of records) {
      expect(r.headers['content-type']).toBe('application/vnd.omni.sealed');
      const readable = `${r.value.toString('utf8')}${r.value.toString('latin1')}${JSON.stringify(r.headers)}`;
      for (const s of ['Dora', 'Sealed-Web', 'PT50000201231234567890154', 'IBAN', answer.slice(0, 20)]) expect(readable).not.toContain(s);
    }
  }, 90_000);
});
