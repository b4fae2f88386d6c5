import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Connection, createConnection } from 'mongoose';
import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';
import { apiCall, onboardTenant } from '../support/tenancy';
import { signedMetaWebhook, whatsappTextWebhook } from '../support/webhooks';

const OPERATOR_KEY = `operator-${randomBytes(16).toString('hex')}`;
const KEK = `k1:${randomBytes(32).toString('base64')}`;
const META_APP_SECRET = randomBytes(16).toString('hex');
const NUMBERS = { acme: '730000000000001', bravo: '740000000000001' } as const;
const CUSTOMERS = { acme: '5491100000001', bravo: '4915100000001' } as const;

/** Every answer text of the demo shop, in every language: none may reach another company's customer. */
const DEMO_TEXTS: string[] = (JSON.parse(readFileSync(resolve(__dirname, '../../libs/nlu/data/demo-tenant/kb.json'), 'utf8')) as { articles: { answer: Record<string, string> }[] })
  .articles.flatMap((a) => Object.values(a.answer));

/**
 * Issue 12 #7 on the real stack: two companies onboarded through the API without NLU data of their
 * own never get the demo shop's answers. Acme chose a neutral message (in the customer's language),
 * Bravo kept the default: its customer is handed to a person.
 */
describe('a tenant without NLU data gets its fallback, never the demo shop', () => {
  const name = uniqueName('tenancy-nlu');
  let apps: RunningApp[] = [];
  let router: RunningApp;
  let wa: RunningApp;
  let graph: GraphApiServer;
  let db: Connection;
  const tokens: Record<string, string> = { [NUMBERS.acme]: `EAAG${randomBytes(16).toString('hex')}`, [NUMBERS.bravo]: `EAAG${randomBytes(16).toString('hex')}` };
  const textsTo = (customer: string) => graph.requests.filter((r) => r.status === 200 && (r.body as { to?: string }).to === customer).map((r) => (r.body as { text?: { body?: string } }).text?.body ?? '');

  beforeAll(async () => {
    graph = await startGraphApiServer({ numberTokens: tokens });
    const env = { ...stackEnv({ prefix: name, db: name }), SECRETS_KEK: KEK, API_KEY: OPERATOR_KEY, WHATSAPP_API_BASE_URL: graph.url };
    [router, wa] = await Promise.all([
      startApp('router', { ...env, INSTANCE_ID: 'router-1' }),
      startApp('channel-whatsapp' as AppName, env),
    ]);
    apps = [router, wa, await startApp('ai-worker', env)];
    for (const tenant of ['acme', 'bravo'] as const) {
      const admin = await onboardTenant(router.url, OPERATOR_KEY, tenant);
      const r = await apiCall(router.url, 'POST', `/v1/tenants/${tenant}/channel-accounts`, admin, { channel: 'whatsapp', phoneNumberId: NUMBERS[tenant], accessToken: tokens[NUMBERS[tenant]], appSecret: META_APP_SECRET });
      expect(r.status).toBe(201);
    }
    db = await createConnection(mongoUri(name)).asPromise();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await db?.close();
    await graph?.close();
  });

  it("sets a tenant's fallback through the operator API, refusing an unknown one with the field named", async () => {
    const bad = await apiCall(router.url, 'PATCH', '/v1/tenants/acme', OPERATOR_KEY, { nluFallback: 'demo' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('nluFallback');
    const ok = await apiCall(router.url, 'PATCH', '/v1/tenants/acme', OPERATOR_KEY, { nluFallback: 'message' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ _id: 'acme', nluFallback: 'message' });
  });

  it("answers Acme's customer with a neutral message in Spanish and hands Bravo's to a person; neither sees the demo shop", async () => {
    for (const tenant of ['acme', 'bravo'] as const) {
      const text = tenant === 'acme' ? '¿dónde está mi pedido? quiero cancelarlo' : 'where is my order? I want a refund';
      const signed = signedMetaWebhook(whatsappTextWebhook({ phoneNumberId: NUMBERS[tenant], from: CUSTOMERS[tenant], text }), META_APP_SECRET);
      const res = await fetch(`${wa.url}/webhooks/whatsapp`, { method: 'POST', ...signed });
      expect(res.status).toBe(200);
    }
    // Acme: the neutral message, in the customer's language, from Acme's number.
    await waitFor("Acme's answer at Meta", async () => textsTo(CUSTOMERS.acme).length > 0, 60_000, 250);
    expect(textsTo(CUSTOMERS.acme)[0]).toBe('Gracias por tu mensaje. Lo hemos recibido y te responderemos por aquí.');
    // Bravo: handed to a person (the conversation waits in the queue).
    const bravo = await waitFor("Bravo's conversation handed to a person", async () =>
      db.collection('conversations').findOne({ tenantId: 'bravo', state: { $in: ['queued', 'assigned'] } }), 60_000, 250);
    expect(bravo.tenantId).toBe('bravo');
    const acme = await db.collection('conversations').findOne({ tenantId: 'acme' });
    expect(acme?.state).toBe('bot');
    // Whatever reached either customer, none of it is the demo shop's.
    const sent = [...textsTo(CUSTOMERS.acme), ...textsTo(CUSTOMERS.bravo)];
    expect(DEMO_TEXTS.length).toBeGreaterThan(50);
    expect(sent.filter((t) => DEMO_TEXTS.includes(t))).toEqual([]);
    // And the AI worker recorded why: no model of their own.
    const predictions = await db.collection('nlu_predictions').find({ tenantId: { $in: ['acme', 'bravo'] } }).toArray();
    expect(predictions.map((p) => [String(p.tenantId), String(p.model)]).sort()).toEqual([['acme', 'omni-nlu:none'], ['bravo', 'omni-nlu:none']]);
  }, 120_000);
});
