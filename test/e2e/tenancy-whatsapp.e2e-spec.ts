import { randomBytes } from 'node:crypto';
import { hubSignature } from '@omni/channels';
import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { uniqueName, waitFor } from '../support/env';
import { apiCall, onboardTenant } from '../support/tenancy';
import { whatsappTextChange, whatsappWebhook } from '../support/webhooks';

const OPERATOR_KEY = `operator-${randomBytes(16).toString('hex')}`;
const KEK = `k1:${randomBytes(32).toString('base64')}`;
/** One Meta app serving the numbers of both companies (a BSP): one signature covers the whole batch. */
const META_APP_SECRET = randomBytes(16).toString('hex');
const UNKNOWN_NUMBER = '799999999999999';
/** The env's own app (the bootstrap number's): it signs webhooks that name no connected number. */
const ENV_APP_SECRET = randomBytes(16).toString('hex');

const change = (phoneNumberId: string, from: string, text: string) => whatsappTextChange({ phoneNumberId, from, text });

/**
 * Channel accounts connected through the router's API decide where a WhatsApp webhook's items go:
 * one batched webhook for four numbers of two tenants reaches the right tenants; a number nobody
 * connected is counted and logged, never produced; each agent reply leaves from its number with
 * that number's access token (the Graph contract server refuses any other token for the number).
 */
describe('WhatsApp webhooks routed by connected account', () => {
  const name = uniqueName('tenancy-wa');
  let router: RunningApp;
  let wa: RunningApp;
  let graph: GraphApiServer;
  const numbers = { acme: ['710000000000001', '710000000000002'], globex: ['720000000000001', '720000000000002'] };
  const keys: Record<string, string> = {};
  /** Each number's own access token, given only at connect time. */
  const tokens: Record<string, string> = Object.fromEntries([...numbers.acme, ...numbers.globex].map((n) => [n, `EAAG${randomBytes(16).toString('hex')}`]));
  const call = (method: string, path: string, key: string, body?: unknown) => apiCall(router.url, method, path, key, body);
  const postWebhook = (body: string, signature: string) =>
    fetch(`${wa.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });

  beforeAll(async () => {
    graph = await startGraphApiServer({ numberTokens: tokens });
    const env = { ...stackEnv({ prefix: name, db: name }), SECRETS_KEK: KEK, API_KEY: OPERATOR_KEY, WHATSAPP_APP_SECRET: ENV_APP_SECRET, WHATSAPP_API_BASE_URL: graph.url };
    router = await startApp('router', { ...env, ROUTER_DISPATCH_INTERVAL_MS: '0' });
    // test/support's AppName lists the first apps only; the channel app is started the same way.
    wa = await startApp('channel-whatsapp' as AppName, env);
    for (const tenant of ['acme', 'globex'] as const) {
      keys[tenant] = await onboardTenant(router.url, OPERATOR_KEY, tenant);
      for (const phoneNumberId of numbers[tenant]) {
        const r = await call('POST', `/v1/tenants/${tenant}/channel-accounts`, keys[tenant], { channel: 'whatsapp', phoneNumberId, accessToken: tokens[phoneNumberId], appSecret: META_APP_SECRET });
        expect(r.status).toBe(201);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await wa?.stop();
    await router?.stop();
    await graph?.close();
  });

  it('refuses the batch signed by another app, storing nothing', async () => {
    const body = JSON.stringify(whatsappWebhook([change(numbers.acme[0], '351900000009', 'forged')]));
    expect((await postWebhook(body, hubSignature(body, 'not-the-app-secret'))).status).toBe(401);
    // Had it been produced, the router would hold acme's conversation within a moment.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await call('GET', '/v1/conversations', keys.acme)).json).toEqual([]);
  });

  it('routes one batched webhook for four numbers of two tenants to the right tenants, and counts the unknown number', async () => {
    const items = [
      change(numbers.acme[0], '351900000001', 'olá da acme 1'),
      change(numbers.globex[0], '351900000002', 'hello globex 1'),
      change(numbers.acme[1], '351900000003', 'olá da acme 2'),
      change(numbers.globex[1], '351900000004', 'hello globex 2'),
      change(UNKNOWN_NUMBER, '351900000005', 'to nobody'),
    ];
    const body = JSON.stringify(whatsappWebhook(items.slice(0, 3), items.slice(3)));
    const res = await postWebhook(body, hubSignature(body, META_APP_SECRET));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ messages: 4 });

    for (const tenant of ['acme', 'globex'] as const) {
      const convs = await waitFor(`${tenant}'s conversations`, async () => {
        const r = await call('GET', '/v1/conversations?channel=whatsapp', keys[tenant]);
        const list = r.json as { accountId: string; channelUserId: string; tenantId: string }[];
        return list.length >= 2 ? list : undefined;
      }, 30_000, 250);
      expect(convs.map((c) => c.accountId).sort()).toEqual([...numbers[tenant]].sort());
      expect(convs.every((c) => c.tenantId === tenant)).toBe(true);
    }
    // The operator's view of the bootstrap tenant holds nothing of the batch (the unknown number was not produced).
    const defaults = (await call('GET', '/v1/conversations?channel=whatsapp', OPERATOR_KEY)).json as { channelUserId: string }[];
    expect(defaults.map((c) => c.channelUserId)).not.toContain('351900000005');

    const metrics = await (await fetch(`${wa.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/omni_webhook_unknown_account_items_total\{[^}]*channel="whatsapp"[^}]*\} 1\b/);
    // Logged once with its account id, also when it comes again.
    const again = JSON.stringify(whatsappWebhook([change(UNKNOWN_NUMBER, '351900000006', 'again')]));
    expect((await postWebhook(again, hubSignature(again, ENV_APP_SECRET))).status).toBe(200);
    expect(wa.logs.join('').split(`"accountId":"${UNKNOWN_NUMBER}"`).length - 1).toBe(1);
    expect(await (await fetch(`${wa.adminUrl}/metrics`)).text()).toMatch(/omni_webhook_unknown_account_items_total\{[^}]*channel="whatsapp"[^}]*\} 2\b/);
  });

  it('sends each agent reply from its conversation’s number with that number’s token', async () => {
    const sent: string[] = [];
    for (const tenant of ['acme', 'globex'] as const) {
      const agentId = `${tenant}-ana`;
      expect((await call('PUT', `/v1/agents/${agentId}`, keys[tenant], { name: 'Ana', maxConcurrent: 10, presence: 'online' })).status).toBe(200);
      const convs = (await call('GET', '/v1/conversations?channel=whatsapp', keys[tenant])).json as { _id: string; accountId: string; channelUserId: string }[];
      expect(convs).toHaveLength(2);
      for (const c of convs) {
        const assigned = await call('POST', `/v1/conversations/${c._id}/assign`, keys[tenant], { agentId });
        expect(assigned.status).toBe(201);
        const reply = await call('POST', `/v1/conversations/${c._id}/messages`, keys[tenant], { agentId, text: `reply from ${tenant} on ${c.accountId}` });
        expect(reply.status).toBe(201);
        sent.push(c.accountId);
      }
    }
    const textOf = (body: unknown) => (body as { text?: { body?: string } }).text?.body ?? '';
    const replies = await waitFor('the four agent replies accepted at the Graph API', async () => {
      const ok = graph.requests.filter((r) => r.status === 200 && textOf(r.body).startsWith('reply from '));
      return ok.length >= 4 ? ok : undefined;
    }, 30_000, 250);
    // Each reply left from its conversation's number, with exactly that number's token.
    expect(replies.map((r) => [r.path.split('/')[2], r.headers.authorization]).sort()).toEqual(sent.map((n) => [n, `Bearer ${tokens[n]}`]).sort());
    // So did everything else sent meanwhile (e.g. the hand-over notice); a wrong token would be a 401 at the server.
    for (const r of graph.requests) expect([r.path.split('/')[2], r.headers.authorization]).toEqual([r.path.split('/')[2], `Bearer ${tokens[r.path.split('/')[2]]}`]);
    expect(graph.requests.filter((r) => r.status === 401)).toEqual([]);
  });
});
