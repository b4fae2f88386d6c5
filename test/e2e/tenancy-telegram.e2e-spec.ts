import { randomBytes } from 'node:crypto';
import { Connection, createConnection } from 'mongoose';
import { type ChannelAccountDoc, channelAccountAad } from '@omni/persistence';
import { Envelopes, kmsFromConfig } from '@omni/secrets';
import { TelegramBotApiServer, startTelegramBotApiServer } from '../contract-servers/telegram-bot-api';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';
import { apiCall, onboardTenant } from '../support/tenancy';
import { telegramTextUpdate } from '../support/webhooks';

const OPERATOR_KEY = `operator-${randomBytes(16).toString('hex')}`;
const KEK = `k1:${randomBytes(32).toString('base64')}`;
const UNKNOWN_BOT = '7999999999';

const textUpdate = telegramTextUpdate;

/**
 * Bots connected through the router's API, one per tenant, share one channel-telegram: each bot's
 * updates come to `/webhooks/telegram/<botId>` with the secret token the router generated for it,
 * reach that bot's tenant, and the agent replies leave through that bot's token (the Bot API
 * contract server accepts only the two tokens and records which came). An update for a bot nobody
 * connected is counted and logged once, never produced.
 */
describe('Telegram webhooks routed by connected bot', () => {
  const name = uniqueName('tenancy-tg');
  let router: RunningApp;
  let tg: RunningApp;
  let api: TelegramBotApiServer;
  let db: Connection;
  const tokens = { acme: `7100000001:${randomBytes(27).toString('base64url')}`, globex: `7200000001:${randomBytes(27).toString('base64url')}` };
  const botIds = { acme: '7100000001', globex: '7200000001' };
  const chats = { acme: '510000001', globex: '520000001' };
  const keys: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const call = (method: string, path: string, key: string, body?: unknown) => apiCall(router.url, method, path, key, body);
  const postUpdate = (botId: string, secret: string, update: Record<string, unknown>) =>
    fetch(`${tg.url}/webhooks/telegram/${botId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(update) });

  /** Where and with which secret each bot's webhook was set: what Telegram was told by the router's setWebhook. */
  const webhooks: Record<string, { url: string; secret: string }> = {};

  beforeAll(async () => {
    api = await startTelegramBotApiServer({ tokens: Object.values(tokens) });
    const env = { ...stackEnv({ prefix: name, db: name }), SECRETS_KEK: KEK, API_KEY: OPERATOR_KEY };
    tg = await startApp('channel-telegram' as AppName, { ...env, TELEGRAM_API_ROOT: api.url });
    // The router points each connected bot's webhook at channel-telegram through the Bot API (issue 12 #2).
    router = await startApp('router', { ...env, ROUTER_DISPATCH_INTERVAL_MS: '0', TELEGRAM_API_ROOT: api.url, TELEGRAM_WEBHOOK_BASE_URL: tg.url });
    db = await createConnection(mongoUri(name)).asPromise();
    for (const tenant of ['acme', 'globex'] as const) {
      keys[tenant] = await onboardTenant(router.url, OPERATOR_KEY, tenant);
      const r = await call('POST', `/v1/tenants/${tenant}/channel-accounts`, keys[tenant], { channel: 'telegram', botToken: tokens[tenant] });
      expect(r.status).toBe(201);
      const set = api.requests.filter((q) => q.path === `/bot${tokens[tenant]}/setWebhook`);
      expect(set).toHaveLength(1);
      const body = set[0].body as { url: string; secret_token: string; allowed_updates: string[] };
      webhooks[tenant] = { url: body.url, secret: body.secret_token };
      secrets[tenant] = body.secret_token;
    }
  }, 120_000);

  it("set each bot's webhook to its own path with the secret the router generated and sealed", async () => {
    const envelopes = new Envelopes(kmsFromConfig({ SECRETS_KEK: KEK, SECRETS_KEK_PREVIOUS: [] }));
    for (const tenant of ['acme', 'globex'] as const) {
      expect(webhooks[tenant].url).toBe(`${tg.url}/webhooks/telegram/${botIds[tenant]}`);
      const doc = (await db.collection('channel_accounts').findOne({ channel: 'telegram', externalId: botIds[tenant] })) as unknown as ChannelAccountDoc;
      expect((await envelopes.open<{ webhookSecret: string }>(doc.secrets!, channelAccountAad(doc._id))).webhookSecret).toBe(webhooks[tenant].secret);
    }
    expect(webhooks.acme.secret).not.toBe(webhooks.globex.secret);
    // A token Telegram does not know: 400 naming botToken, nothing connected.
    const unknown = await call('POST', '/v1/tenants/acme/channel-accounts', keys.acme, { channel: 'telegram', botToken: `7300000001:${randomBytes(27).toString('base64url')}` });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json)).toContain('botToken');
    expect(await db.collection('channel_accounts').countDocuments({ channel: 'telegram', externalId: '7300000001' })).toBe(0);
  });

  afterAll(async () => {
    await tg?.stop();
    await router?.stop();
    await db?.close();
    await api?.close();
  });

  it('refuses an update carrying another bot’s secret, storing nothing', async () => {
    expect((await postUpdate(botIds.acme, secrets.globex, textUpdate(chats.acme, 1, 'forged'))).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await call('GET', '/v1/conversations', keys.acme)).json).toEqual([]);
  });

  it('routes each bot’s update to its tenant, counts the unknown bot and logs it once', async () => {
    for (const tenant of ['acme', 'globex'] as const) {
      const res = await postUpdate(botIds[tenant], secrets[tenant], textUpdate(chats[tenant], 11, `hello ${tenant}`));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ messages: 1 });
    }
    for (const tenant of ['acme', 'globex'] as const) {
      const convs = await waitFor(`${tenant}'s conversation`, async () => {
        const list = (await call('GET', '/v1/conversations?channel=telegram', keys[tenant])).json as { accountId: string; channelUserId: string; tenantId: string }[];
        return list.length >= 1 ? list : undefined;
      }, 30_000, 250);
      expect(convs.map((c) => [c.tenantId, c.accountId, c.channelUserId])).toEqual([[tenant, botIds[tenant], chats[tenant]]]);
    }
    for (const n of [1, 2]) {
      const res = await postUpdate(UNKNOWN_BOT, secrets.acme, textUpdate('590000001', n, 'to nobody'));
      expect(await res.json()).toMatchObject({ messages: 0, ignored: 1 });
    }
    expect(await (await fetch(`${tg.adminUrl}/metrics`)).text()).toMatch(/omni_webhook_unknown_account_items_total\{[^}]*channel="telegram"[^}]*\} 2\b/);
    expect(tg.logs.join('').split(`"accountId":"${UNKNOWN_BOT}"`).length - 1).toBe(1);
  });

  it('sends each agent reply through its bot’s token', async () => {
    for (const tenant of ['acme', 'globex'] as const) {
      const agentId = `${tenant}-ana`;
      expect((await call('PUT', `/v1/agents/${agentId}`, keys[tenant], { name: 'Ana', maxConcurrent: 10, presence: 'online' })).status).toBe(200);
      const [conv] = (await call('GET', '/v1/conversations?channel=telegram', keys[tenant])).json as { _id: string }[];
      expect((await call('POST', `/v1/conversations/${conv._id}/assign`, keys[tenant], { agentId })).status).toBe(201);
      expect((await call('POST', `/v1/conversations/${conv._id}/messages`, keys[tenant], { agentId, text: `reply from ${tenant}` })).status).toBe(201);
    }
    const textOf = (body: unknown) => (body as { text?: string }).text ?? '';
    const replies = await waitFor('both agent replies accepted at the Bot API', async () => {
      const ok = api.requests.filter((r) => r.status === 200 && textOf(r.body).startsWith('reply from '));
      return ok.length >= 2 ? ok : undefined;
    }, 30_000, 250);
    expect(replies.map((r) => [r.path, String((r.body as { chat_id: unknown }).chat_id), textOf(r.body)]).sort()).toEqual([
      [`/bot${tokens.acme}/sendMessage`, chats.acme, 'reply from acme'],
      [`/bot${tokens.globex}/sendMessage`, chats.globex, 'reply from globex'],
    ].sort());
    // Everything sent to a chat went through that chat's bot; no call was refused.
    for (const r of api.requests.filter((x) => x.path.endsWith('/sendMessage'))) {
      const chat = String((r.body as { chat_id: unknown }).chat_id);
      expect(r.path).toBe(`/bot${chat === chats.acme ? tokens.acme : tokens.globex}/sendMessage`);
    }
    // (The one 401 is the unknown bot's setWebhook of the first test.)
    expect(api.requests.filter((r) => r.status === 401).map((r) => r.path.replace(/:[^/]+/, ':…'))).toEqual(['/bot7300000001:…/setWebhook']);
  });
});
