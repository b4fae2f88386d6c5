import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Connection, createConnection } from 'mongoose';
import { hubSignature } from '@omni/channels';
import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';
import { apiCall, onboardTenant } from '../support/tenancy';
import { whatsappTextChange, whatsappWebhook } from '../support/webhooks';

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
    const consumer = kafka.consumer({ groupId: `${name}-scan`, maxWaitTimeInMs: 200 });
    const records: { tenant: string; value: Buffer; headers: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [`${name}.omni.inbound.v1`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        records.push({ tenant: headers.ce_tenantid, value: message.value ?? Buffer.alloc(0), headers: JSON.stringify(headers) });
      },
    });
    await waitFor('both records read', async () => records.length >= 2, 30_000, 100);
    await consumer.disconnect();
    const acme = records.filter((r) => r.tenant === 'acme');
    expect(acme).toHaveLength(1);
    expect(acme[0].headers).toContain('application/vnd.omni.sealed');
    const readable = `${acme[0].value.toString('utf8')}${acme[0].value.toString('latin1')}${acme[0].headers}`;
    for (const s of [ANA.phone, 'Ana Shredded', 'PT50000201231234567890154', 'IBAN']) expect(readable).not.toContain(s);
    // The tenant that did not opt in is plain JSON, as the ★ contract says.
    expect(JSON.parse(records.find((r) => r.tenant === 'globex')?.value.toString('utf8') ?? '{}')).toMatchObject({ message: { text: BRUNO.text } });
  }, 90_000);
});
