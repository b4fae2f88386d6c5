import { randomBytes } from 'node:crypto';
import { hubSignature } from '@omni/channels';
import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { uniqueName, waitFor } from '../support/env';
import { apiCall, onboardTenant } from '../support/tenancy';
import { messengerTextEntry, messengerWebhook } from '../support/webhooks';

const OPERATOR_KEY = `operator-${randomBytes(16).toString('hex')}`;
const KEK = `k1:${randomBytes(32).toString('base64')}`;
/** One Meta app serving the Pages of both companies: one signature covers the whole batch. */
const META_APP_SECRET = randomBytes(16).toString('hex');
/** The env's own app (the bootstrap Page's): it signs webhooks that name no connected Page. */
const ENV_APP_SECRET = randomBytes(16).toString('hex');
const UNKNOWN_PAGE = '309999999999999';

const entry = (pageId: string, psid: string, text: string) => messengerTextEntry(pageId, psid, text);

/**
 * Pages connected through the router's API decide where a Messenger webhook's entries go: one
 * batched webhook for two tenants' Pages reaches the right tenants; a Page nobody connected is
 * counted and logged once, never produced; each agent reply leaves with its Page's token (the Graph
 * contract server refuses any token no connected Page holds, and records which one came).
 */
describe('Messenger webhooks routed by connected Page', () => {
  const name = uniqueName('tenancy-fbm');
  let router: RunningApp;
  let fbm: RunningApp;
  let graph: GraphApiServer;
  const pages = { acme: '301000000000001', globex: '302000000000001' };
  const tokens: Record<string, string> = { [pages.acme]: `EAAP${randomBytes(16).toString('hex')}`, [pages.globex]: `EAAP${randomBytes(16).toString('hex')}` };
  const customers = { acme: '6510000000000001', globex: '6520000000000001' };
  const keys: Record<string, string> = {};
  const call = (method: string, path: string, key: string, body?: unknown) => apiCall(router.url, method, path, key, body);
  const postWebhook = (body: string, signature: string) =>
    fetch(`${fbm.url}/webhooks/messenger`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });

  beforeAll(async () => {
    graph = await startGraphApiServer({ pageTokens: tokens });
    const env = { ...stackEnv({ prefix: name, db: name }), SECRETS_KEK: KEK, API_KEY: OPERATOR_KEY, MESSENGER_APP_SECRET: ENV_APP_SECRET };
    router = await startApp('router', { ...env, ROUTER_DISPATCH_INTERVAL_MS: '0' });
    fbm = await startApp('channel-messenger' as AppName, { ...env, MESSENGER_API_BASE_URL: graph.url, MESSENGER_API_VERSION: 'v23.0' });
    for (const tenant of ['acme', 'globex'] as const) {
      keys[tenant] = await onboardTenant(router.url, OPERATOR_KEY, tenant);
      const r = await call('POST', `/v1/tenants/${tenant}/channel-accounts`, keys[tenant], { channel: 'messenger', pageId: pages[tenant], pageAccessToken: tokens[pages[tenant]], appSecret: META_APP_SECRET });
      expect(r.status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await fbm?.stop();
    await router?.stop();
    await graph?.close();
  });

  it('refuses the batch signed by another app, storing nothing', async () => {
    const body = JSON.stringify(messengerWebhook(entry(pages.acme, '6510000000000009', 'forged')));
    expect((await postWebhook(body, hubSignature(body, 'not-the-app-secret'))).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await call('GET', '/v1/conversations', keys.acme)).json).toEqual([]);
  });

  it('routes one batched webhook to each Page’s tenant, counts the unknown Page and logs it once', async () => {
    const body = JSON.stringify(messengerWebhook(entry(pages.acme, customers.acme, 'hello acme'), entry(UNKNOWN_PAGE, '6590000000000001', 'to nobody'), entry(pages.globex, customers.globex, 'hello globex')));
    const res = await postWebhook(body, hubSignature(body, META_APP_SECRET));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ messages: 2 });
    for (const tenant of ['acme', 'globex'] as const) {
      const convs = await waitFor(`${tenant}'s conversation`, async () => {
        const list = (await call('GET', '/v1/conversations?channel=messenger', keys[tenant])).json as { accountId: string; channelUserId: string; tenantId: string }[];
        return list.length >= 1 ? list : undefined;
      }, 30_000, 250);
      expect(convs.map((c) => [c.tenantId, c.accountId, c.channelUserId])).toEqual([[tenant, pages[tenant], customers[tenant]]]);
    }
    const defaults = (await call('GET', '/v1/conversations?channel=messenger', OPERATOR_KEY)).json as { channelUserId: string }[];
    expect(defaults.map((c) => c.channelUserId)).not.toContain('6590000000000001');
    expect(await (await fetch(`${fbm.adminUrl}/metrics`)).text()).toMatch(/omni_webhook_unknown_account_items_total\{[^}]*channel="messenger"[^}]*\} 1\b/);
    // Naming only the unknown Page, the body must carry the env app's signature; logged once in all.
    const again = JSON.stringify(messengerWebhook(entry(UNKNOWN_PAGE, '6590000000000002', 'again')));
    expect((await postWebhook(again, hubSignature(again, ENV_APP_SECRET))).status).toBe(200);
    expect(await (await fetch(`${fbm.adminUrl}/metrics`)).text()).toMatch(/omni_webhook_unknown_account_items_total\{[^}]*channel="messenger"[^}]*\} 2\b/);
    expect(fbm.logs.join('').split(`"accountId":"${UNKNOWN_PAGE}"`).length - 1).toBe(1);
  });

  it('sends each agent reply with its Page’s token', async () => {
    for (const tenant of ['acme', 'globex'] as const) {
      const agentId = `${tenant}-ana`;
      expect((await call('PUT', `/v1/agents/${agentId}`, keys[tenant], { name: 'Ana', maxConcurrent: 10, presence: 'online' })).status).toBe(200);
      const [conv] = (await call('GET', '/v1/conversations?channel=messenger', keys[tenant])).json as { _id: string }[];
      expect((await call('POST', `/v1/conversations/${conv._id}/assign`, keys[tenant], { agentId })).status).toBe(201);
      expect((await call('POST', `/v1/conversations/${conv._id}/messages`, keys[tenant], { agentId, text: `reply from ${tenant}` })).status).toBe(201);
    }
    const textOf = (body: unknown) => (body as { message?: { text?: string } }).message?.text ?? '';
    const replies = await waitFor('both agent replies accepted at the Send API', async () => {
      const ok = graph.requests.filter((r) => r.status === 200 && textOf(r.body).startsWith('reply from '));
      return ok.length >= 2 ? ok : undefined;
    }, 30_000, 250);
    const seen = replies.map((r) => [(r.body as { recipient: { id: string } }).recipient.id, r.headers.authorization, textOf(r.body)]).sort();
    expect(seen).toEqual([
      [customers.acme, `Bearer ${tokens[pages.acme]}`, 'reply from acme'],
      [customers.globex, `Bearer ${tokens[pages.globex]}`, 'reply from globex'],
    ].sort());
    // Whatever else went out meanwhile went with the token of the Page whose customer it was for.
    for (const r of graph.requests) {
      const recipient = (r.body as { recipient?: { id?: string } }).recipient?.id;
      expect(r.headers.authorization).toBe(`Bearer ${tokens[recipient === customers.acme ? pages.acme : pages.globex]}`);
    }
  });
});
