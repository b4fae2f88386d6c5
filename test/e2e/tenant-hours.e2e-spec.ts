import { Connection, createConnection } from 'mongoose';
import type { GraphApiServer } from '../contract-servers/graph-api';
import type { RunningApp } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';
import { apiCall } from '../support/tenancy';
import { signedMetaWebhook, whatsappTextWebhook } from '../support/webhooks';
import { WhatsAppStack, startWhatsAppStack } from '../support/whatsapp-stack';

const OPERATOR_KEY = 'tenant-hours-e2e-operator-key';
const SECRET = 'e2e-whatsapp-app-secret';
const TOKEN = 'e2e-whatsapp-access-token';
const PHONE_NUMBER_ID = '106540352242924';
const ASK_FOR_A_PERSON = 'can I speak to a real person? my order ORD-12345 is late';

/**
 * Issue 12 #6 on the whole stack: a tenant's business hours, set only through the settings API, close
 * its groups — a customer asking for a person outside them is told the team is away (not given a queue
 * position); once the hours name an after-hours group, the next one waits there instead.
 */
describe('business hours from the tenant settings', () => {
  const name = uniqueName('tenant-hours');
  let stack: WhatsAppStack | undefined;
  let graph: GraphApiServer;
  let router: RunningApp;
  let wa: RunningApp;
  let db: Connection;
  const api = (method: string, path: string, body?: unknown) => apiCall(router.url, method, path, OPERATOR_KEY, body);
  const newCustomer = () => `1650${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const post = async (from: string, text: string) => {
    const res = await fetch(`${wa.url}/webhooks/whatsapp`, { method: 'POST', ...signedMetaWebhook(whatsappTextWebhook({ phoneNumberId: PHONE_NUMBER_ID, from, text }), SECRET) });
    expect(res.status).toBe(200);
  };
  const textsTo = (to: string) => graph.requests
    .filter((r) => r.method === 'POST' && (r.body as { to?: string }).to === to)
    .map((r) => (r.body as { text?: { body?: string } }).text?.body ?? '');

  beforeAll(async () => {
    stack = await startWhatsAppStack(name, { operatorKey: OPERATOR_KEY, appSecret: SECRET, accessToken: TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    ({ graph, router, wa } = stack);
    db = await createConnection(mongoUri(name)).asPromise();
    expect((await api('PUT', '/v1/tenants/default/settings/skillGroups', [{ id: 'default' }, { id: 'night' }])).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await db?.close();
  });

  it('tells a customer outside the hours that the team is away, then routes the next one to the after-hours group', async () => {
    // Never open: no weekly window at all.
    expect((await api('PUT', '/v1/tenants/default/settings/hours', { timeZone: 'UTC', weekly: {} })).status).toBe(200);
    const first = newCustomer();
    await post(first, ASK_FOR_A_PERSON);
    await waitFor('the away notice', async () => textsTo(first).some((t) => t.startsWith('Thanks for your message. Our team is away right now')), 40_000);
    expect(textsTo(first).filter((t) => t.includes('in line'))).toEqual([]);

    const refused = await api('PUT', '/v1/tenants/default/settings/hours', { timeZone: 'UTC', weekly: {}, afterHoursGroupId: 'nobody' });
    expect(refused.status).toBe(400);
    expect((refused.json as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['hours.afterHoursGroupId']);

    expect((await api('PUT', '/v1/tenants/default/settings/hours', { timeZone: 'UTC', weekly: {}, afterHoursGroupId: 'night' })).status).toBe(200);
    const second = newCustomer();
    await post(second, ASK_FOR_A_PERSON);
    const waiting = await waitFor('queued in the after-hours group', async () => db.collection('conversations').findOne({ channelUserId: second, state: 'queued', groupId: 'night' }), 40_000);
    expect(waiting.groupId).toBe('night');
    await waitFor('the queue position', async () => textsTo(second).some((t) => t.includes('in line')), 20_000);

    const audit = (await api('GET', '/v1/tenants/default/settings/audit')).json as { entries: { section: string; by: string }[] };
    expect(audit.entries.slice(0, 3).map((e) => [e.section, e.by])).toEqual([['hours', 'operator'], ['hours', 'operator'], ['skillGroups', 'operator']]);
  });
});
