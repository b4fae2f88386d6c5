import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createConnection, Connection } from 'mongoose';
import { RunningApp, freePort, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';

const OPERATOR_KEY = `operator-${randomBytes(16).toString('hex')}`;
const kek = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const K1 = kek('k1');
const K2 = kek('k2');
const ROLES = ['admin', 'supervisor', 'agent', 'service'] as const;
type Role = (typeof ROLES)[number];
type Who = Role | 'operator';

/** Every secret this suite hands the gateway: none may appear in a stored document, a log line or an answer. */
const secrets: string[] = [OPERATOR_KEY];
const secret = (prefix: string) => {
  const s = `${prefix}${randomBytes(18).toString('hex')}`;
  secrets.push(s);
  return s;
};
const appSecret = () => secret('a1');
const waAccount = (phoneNumberId: string) => ({ channel: 'whatsapp', phoneNumberId, wabaId: '300000000000001', accessToken: secret('EAAG'), appSecret: appSecret() });

interface Tenant {
  id: string;
  keys: Record<Role, string>;
  keyIds: Record<Role, string>;
  accounts: Record<string, string>;
}

/**
 * Tenants, their keys and channel accounts through the router's API only (ADR 0600): onboarding two
 * companies, every route's rights per role, tenant isolation, write-only secrets, KEK rotation.
 */
describe('tenants, accounts and keys', () => {
  const name = uniqueName('tenancy');
  let router: RunningApp;
  let aiWorker: RunningApp;
  let db: Connection;
  const logs: string[] = [];
  let grpcPort = 0;
  const env = (extra: Record<string, string>) => ({
    ...stackEnv({ prefix: name, db: name }), API_KEY: OPERATOR_KEY, ROUTER_DISPATCH_INTERVAL_MS: '0', LOG_LEVEL: 'info', ROUTER_GRPC_PORT: String(grpcPort), ...extra,
  });
  /** Every log line of an app: what it wrote until ready (startApp keeps it), then all that follows. */
  const capture = (app: RunningApp) => {
    logs.push(...app.logs);
    app.proc.stdout?.on('data', (b: Buffer) => logs.push(b.toString()));
    app.proc.stderr?.on('data', (b: Buffer) => logs.push(b.toString()));
    return app;
  };
  const startRouter = async (extra: Record<string, string>) => {
    router = capture(await startApp('router', env(extra)));
  };
  const stopRouter = () => router.stop();
  const http = async (base: string, method: string, path: string, key: string | null, body?: unknown): Promise<{ status: number; text: string; json: () => unknown }> => {
    const raw = typeof body === 'string';
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': raw ? 'text/plain' : 'application/json' }) },
      ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, text, json: () => JSON.parse(text) as unknown };
  };
  const answers: string[] = [];
  const call = (method: string, path: string, key: string | null, body?: unknown) => http(router.url, method, path, key, body);
  const acme: Tenant = { id: 'acme', keys: {} as Tenant['keys'], keyIds: {} as Tenant['keyIds'], accounts: {} };
  const globex: Tenant = { id: 'globex', keys: {} as Tenant['keys'], keyIds: {} as Tenant['keyIds'], accounts: {} };

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
    grpcPort = await freePort();
    await startRouter({ SECRETS_KEK: K1 });
    aiWorker = capture(await startApp('ai-worker', env({})));
  }, 120_000);

  afterAll(async () => {
    await router?.stop();
    await aiWorker?.stop();
    await db?.close();
  });

  it('makes the env account the bootstrap tenant’s at first start', async () => {
    const res = await call('GET', '/v1/tenants/default/channel-accounts', OPERATOR_KEY);
    expect(res.status).toBe(200);
    const accounts = res.json() as { channel: string; externalId: string; hasCredentials: boolean }[];
    expect(accounts.map((a) => `${a.channel}:${a.externalId}`).sort()).toEqual(['email:support@omni.local', 'messenger:100000000000002', 'telegram:1000000001', 'whatsapp:100000000000001']);
    expect((await call('GET', '/v1/tenants/default', OPERATOR_KEY)).json()).toMatchObject({ _id: 'default', homeRegion: 'local' });
  });

  it('onboards two tenants through the API: tenant, admin key, role keys, channel accounts', async () => {
    for (const t of [acme, globex]) {
      const created = await call('POST', '/v1/tenants', OPERATOR_KEY, { id: t.id, name: t.id.toUpperCase(), homeRegion: 'local-a', languages: ['en', 'pt-BR'], timeZone: 'Europe/Lisbon' });
      expect(created.status).toBe(201);
      expect(created.json()).toEqual({ id: t.id });
      const admin = await call('POST', `/v1/tenants/${t.id}/api-keys`, OPERATOR_KEY, { role: 'admin' });
      expect(admin.status).toBe(201);
      ({ key: t.keys.admin, id: t.keyIds.admin } = admin.json() as { id: string; key: string });
      secrets.push(t.keys.admin);
      for (const role of ['supervisor', 'agent', 'service'] as const) {
        const agentId = role === 'agent' ? `${t.id}-ana` : role === 'service' ? `${t.id}-crm` : undefined;
        const k = await call('POST', `/v1/tenants/${t.id}/api-keys`, t.keys.admin, { role, ...(agentId ? { agentId } : {}) });
        expect(k.status).toBe(201);
        ({ key: t.keys[role], id: t.keyIds[role] } = k.json() as { id: string; key: string });
        secrets.push(t.keys[role]);
      }
      const n = t === acme ? '1' : '2';
      const connect = async (label: string, body: Record<string, unknown>) => {
        const r = await call('POST', `/v1/tenants/${t.id}/channel-accounts`, t.keys.admin, body);
        expect(r.status).toBe(201);
        t.accounts[label] = (r.json() as { id: string }).id;
        return r;
      };
      await connect('wa1', waAccount(`20000000000${n}01`));
      await connect('wa2', waAccount(`20000000000${n}02`));
      await connect('page', { channel: 'messenger', pageId: `40000000000${n}01`, pageAccessToken: secret('EAAP'), appSecret: appSecret() });
      await connect('bot', { channel: 'telegram', botToken: `50000000${n}:${secret('AAH')}` });
      await connect('mail', { channel: 'email', address: `help@${t.id}.example`, imap: { host: `imap.${t.id}.example`, port: 993, user: 'help', pass: secret('imap-') } });
      const web = await connect('web', { channel: 'web', name: `${t.id} shop`, allowedOrigins: [`https://${t.id}.example`] });
      expect(web.json()).toMatchObject({ publicId: expect.stringMatching(/^w_/), snippet: expect.stringContaining('widget.js') });
    }
    const patched = await call('PATCH', '/v1/tenants/globex', OPERATOR_KEY, { timeZone: 'America/Sao_Paulo', languages: ['pt-BR', 'en'] });
    expect(patched.status).toBe(200);
    expect(patched.json()).toMatchObject({ _id: 'globex', name: 'GLOBEX', timeZone: 'America/Sao_Paulo', languages: ['pt-BR', 'en'] });
    expect((await call('PATCH', '/v1/tenants/nobody', OPERATOR_KEY, { name: 'x' })).status).toBe(404);
    const listed = (await call('GET', '/v1/tenants', OPERATOR_KEY)).json() as { _id: string }[];
    expect(listed.map((t) => t._id)).toEqual(expect.arrayContaining(['acme', 'globex', 'default']));
    const accounts = (await call('GET', '/v1/tenants/acme/channel-accounts', acme.keys.admin)).json() as { channel: string; hasCredentials: boolean; tenantId: string }[];
    expect(accounts).toHaveLength(6);
    expect(accounts.every((a) => a.tenantId === 'acme' && a.hasCredentials === (a.channel !== 'web'))).toBe(true);
    const keys = (await call('GET', '/v1/tenants/acme/api-keys', acme.keys.admin)).json() as { id: string; role: string }[];
    expect(keys.map((k) => k.role).sort()).toEqual(['admin', 'agent', 'service', 'supervisor']);
  });

  it('refuses bad input with the field named, and a taken account with 409, creating nothing', async () => {
    const before = await db.collection('channel_accounts').countDocuments();
    const bad = async (body: unknown, field: string) => {
      const r = await call('POST', '/v1/tenants/globex/channel-accounts', globex.keys.admin, body);
      expect(r.status).toBe(400);
      expect((r.json() as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(field);
    };
    await bad({ channel: 'fax', number: '1' }, 'channel');
    await bad({ channel: 'whatsapp', phoneNumberId: '200000000000999', appSecret: appSecret() }, 'accessToken');
    await bad({ channel: 'whatsapp', phoneNumberId: 'abc', accessToken: secret('EAAG'), appSecret: appSecret() }, 'phoneNumberId');
    await bad({ channel: 'telegram', botToken: 'nope' }, 'botToken');
    // Acme's number, page and bot are acme's: globex gets 409, and the same for acme connecting them twice.
    for (const [key, tenant] of [[globex.keys.admin, 'globex'], [acme.keys.admin, 'acme']] as const) {
      const r = await call('POST', `/v1/tenants/${tenant}/channel-accounts`, key, waAccount('20000000000101'));
      expect(r.status).toBe(409);
      expect((r.json() as { reason: string }).reason).toContain('phoneNumberId');
      expect(r.text).not.toContain('acme');
    }
    expect((await call('POST', '/v1/tenants', OPERATOR_KEY, { id: 'acme', name: 'Again', homeRegion: 'local-a', languages: ['en'], timeZone: 'UTC' })).status).toBe(409);
    const tz = await call('POST', '/v1/tenants', OPERATOR_KEY, { name: 'Bad', homeRegion: 'local-a', languages: ['en'], timeZone: 'Mars/Olympus' });
    expect(tz.status).toBe(400);
    expect((tz.json() as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['timeZone']);
    expect((await call('POST', '/v1/tenants/acme/api-keys', acme.keys.admin, { role: 'agent' })).status).toBe(400); // an agent key names its agent
    expect(await db.collection('channel_accounts').countDocuments()).toBe(before);
  });

  /** Hand-written rights (not read from the code under test); `all` = the four roles. */
  const all: Role[] = [...ROLES];
  const AGENT = 'acme-ana';
  const CONV = 'conv-acme';
  /** `public`: no credential needed (sign-in): anonymous is not 401, and no role is refused. */
  const ROUTES: { method: string; path: string; real: () => string; body?: unknown; allowed: Role[]; app?: 'ai-worker'; public?: true }[] = [
    { method: 'GET', path: '/v1/conversations', real: () => '/v1/conversations', allowed: all },
    { method: 'GET', path: '/v1/conversations/{id}', real: () => `/v1/conversations/${CONV}`, allowed: all },
    { method: 'GET', path: '/v1/conversations/{id}/messages', real: () => `/v1/conversations/${CONV}/messages`, allowed: all },
    { method: 'POST', path: '/v1/conversations/{id}/messages', real: () => `/v1/conversations/${CONV}/messages`, body: { text: 'hello' }, allowed: all },
    { method: 'POST', path: '/v1/conversations/{id}/messages/{messageId}/intent', real: () => `/v1/conversations/${CONV}/messages/m-1/intent`, body: { label: 'refund' }, allowed: ['admin', 'supervisor'] },
    { method: 'POST', path: '/v1/conversations/{id}/resolve', real: () => '/v1/conversations/conv-none/resolve', allowed: all },
    { method: 'POST', path: '/v1/conversations/{id}/assign', real: () => '/v1/conversations/conv-none/assign', body: { agentId: AGENT }, allowed: ['admin', 'supervisor', 'agent'] },
    { method: 'POST', path: '/v1/conversations/{id}/transfer', real: () => '/v1/conversations/conv-none/transfer', body: { groupId: 'default' }, allowed: ['admin', 'supervisor', 'agent'] },
    { method: 'GET', path: '/v1/conversations/{id}/workflows', real: () => `/v1/conversations/${CONV}/workflows`, allowed: all },
    { method: 'GET', path: '/v1/conversations/{id}/notes', real: () => `/v1/conversations/${CONV}/notes`, allowed: ['admin', 'supervisor', 'agent'] },
    { method: 'POST', path: '/v1/conversations/{id}/notes', real: () => `/v1/conversations/${CONV}/notes`, body: { text: 'internal' }, allowed: ['admin', 'supervisor', 'agent'] },
    { method: 'PUT', path: '/v1/conversations/{id}/viewers/me', real: () => `/v1/conversations/${CONV}/viewers/me`, body: { typing: false }, allowed: ['admin', 'supervisor', 'agent'] },
    { method: 'DELETE', path: '/v1/conversations/{id}/viewers/me', real: () => `/v1/conversations/${CONV}/viewers/me`, allowed: ['admin', 'supervisor', 'agent'] },
    { method: 'GET', path: '/v1/canned-responses', real: () => '/v1/canned-responses', allowed: ['admin', 'supervisor', 'agent'] },
    { method: 'PUT', path: '/v1/canned-responses/{shortcut}/{language}', real: () => '/v1/canned-responses/thanks/en', body: { text: 'Thank you!' }, allowed: ['admin', 'supervisor'] },
    { method: 'DELETE', path: '/v1/canned-responses/{shortcut}/{language}', real: () => '/v1/canned-responses/none/en', allowed: ['admin', 'supervisor'] },
    { method: 'GET', path: '/v1/agents', real: () => '/v1/agents', allowed: all },
    { method: 'GET', path: '/v1/agents/{id}', real: () => `/v1/agents/${AGENT}`, allowed: all },
    { method: 'PUT', path: '/v1/agents/{id}', real: () => `/v1/agents/${AGENT}`, body: {}, allowed: ['admin'] },
    { method: 'PUT', path: '/v1/agents/{id}/presence', real: () => `/v1/agents/${AGENT}/presence`, body: { presence: 'away' }, allowed: ['admin', 'supervisor', 'agent'] },
    { method: 'GET', path: '/v1/skill-groups', real: () => '/v1/skill-groups', allowed: all },
    { method: 'PUT', path: '/v1/skill-groups', real: () => '/v1/skill-groups', body: {}, allowed: ['admin'] },
    { method: 'GET', path: '/v1/experiments', real: () => '/v1/experiments', allowed: ['admin', 'supervisor'] },
    { method: 'PUT', path: '/v1/experiments/{id}', real: () => '/v1/experiments/exp-1', body: {}, allowed: ['admin'] },
    { method: 'GET', path: '/v1/experiments/{id}/report', real: () => '/v1/experiments/exp-none/report', allowed: ['admin', 'supervisor'] },
    { method: 'GET', path: '/v1/reports/conversations', real: () => '/v1/reports/conversations', allowed: ['admin', 'supervisor', 'service'] },
    { method: 'GET', path: '/v1/customers', real: () => '/v1/customers?q=acme', allowed: all },
    { method: 'GET', path: '/v1/customers/{id}', real: () => '/v1/customers/cu-acme', allowed: all },
    { method: 'GET', path: '/v1/customers/{id}/history', real: () => '/v1/customers/cu-acme/history', allowed: all },
    { method: 'POST', path: '/v1/customers/{id}/merge', real: () => '/v1/customers/cu-acme/merge', body: {}, allowed: ['admin', 'supervisor'] },
    { method: 'POST', path: '/v1/customers/{id}/verified-contacts', real: () => '/v1/customers/cu-acme/verified-contacts', body: {}, allowed: ['admin', 'supervisor'] },
    { method: 'PUT', path: '/v1/customers/{id}/tier', real: () => '/v1/customers/cu-acme/tier', body: {}, allowed: ['admin', 'supervisor'] },
    { method: 'GET', path: '/v1/customers/{customerId}/personal-data', real: () => '/v1/customers/cu-acme/personal-data', allowed: ['admin'] },
    { method: 'DELETE', path: '/v1/customers/{customerId}/personal-data', real: () => '/v1/customers/cu-none/personal-data', allowed: ['admin'] },
    { method: 'GET', path: '/v1/media/{storeId}', real: () => `/v1/media/${'a'.repeat(64)}`, allowed: all },
    { method: 'POST', path: '/v1/media', real: () => '/v1/media', body: 'a small note', allowed: all },
    { method: 'GET', path: '/v1/events', real: () => '/v1/events', allowed: all },
    { method: 'POST', path: '/v1/tenants', real: () => '/v1/tenants', body: {}, allowed: [] },
    { method: 'GET', path: '/v1/tenants', real: () => '/v1/tenants', allowed: [] },
    { method: 'GET', path: '/v1/tenants/{tenantId}', real: () => '/v1/tenants/acme', allowed: [] },
    { method: 'PATCH', path: '/v1/tenants/{tenantId}', real: () => '/v1/tenants/acme', body: {}, allowed: [] },
    { method: 'POST', path: '/v1/tenants/{tenantId}/api-keys', real: () => '/v1/tenants/acme/api-keys', body: {}, allowed: ['admin'] },
    { method: 'GET', path: '/v1/tenants/{tenantId}/api-keys', real: () => '/v1/tenants/acme/api-keys', allowed: ['admin'] },
    { method: 'DELETE', path: '/v1/tenants/{tenantId}/api-keys/{keyId}', real: () => '/v1/tenants/acme/api-keys/no-such-key', allowed: ['admin'] },
    { method: 'POST', path: '/v1/tenants/{tenantId}/channel-accounts', real: () => '/v1/tenants/acme/channel-accounts', body: {}, allowed: ['admin'] },
    { method: 'GET', path: '/v1/tenants/{tenantId}/channel-accounts', real: () => '/v1/tenants/acme/channel-accounts', allowed: ['admin'] },
    { method: 'GET', path: '/v1/tenants/{tenantId}/channel-accounts/{id}', real: () => `/v1/tenants/acme/channel-accounts/${acme.accounts.wa1}`, allowed: ['admin'] },
    { method: 'PUT', path: '/v1/tenants/{tenantId}/channel-accounts/{id}/credentials', real: () => `/v1/tenants/acme/channel-accounts/${acme.accounts.wa1}/credentials`, body: {}, allowed: ['admin'] },
    { method: 'DELETE', path: '/v1/tenants/{tenantId}/channel-accounts/{id}', real: () => '/v1/tenants/acme/channel-accounts/ca_none', allowed: ['admin'] },
    { method: 'POST', path: '/v1/tenants/{tenantId}/people', real: () => '/v1/tenants/acme/people', body: {}, allowed: ['admin'] },
    { method: 'GET', path: '/v1/tenants/{tenantId}/people', real: () => '/v1/tenants/acme/people', allowed: ['admin'] },
    { method: 'DELETE', path: '/v1/tenants/{tenantId}/people/{personId}', real: () => '/v1/tenants/acme/people/p_none', allowed: ['admin'] },
    { method: 'GET', path: '/v1/me', real: () => '/v1/me', allowed: all },
    { method: 'DELETE', path: '/v1/sessions/current', real: () => '/v1/sessions/current', allowed: all },
    { method: 'POST', path: '/v1/sessions', real: () => '/v1/sessions', body: {}, allowed: all, public: true },
    { method: 'POST', path: '/v1/sessions/refresh', real: () => '/v1/sessions/refresh', body: {}, allowed: all, public: true },
    { method: 'POST', path: '/v1/tenants/{tenantId}/failover', real: () => '/v1/tenants/acme/failover', body: {}, allowed: [] },
    { method: 'GET', path: '/v1/regions/directory', real: () => '/v1/regions/directory', allowed: [] },
    { method: 'GET', path: '/v1/regions/tenants/{tenantId}/config', real: () => '/v1/regions/tenants/acme/config', allowed: [] },
    { method: 'GET', path: '/v1/regions/sends/{sendId}', real: () => '/v1/regions/sends/send-1?tenantId=acme', allowed: [] },
    { method: 'GET', path: '/v1/tenants/{tenantId}/settings', real: () => '/v1/tenants/acme/settings', allowed: ['admin'] },
    { method: 'GET', path: '/v1/tenants/{tenantId}/settings/audit', real: () => '/v1/tenants/acme/settings/audit', allowed: ['admin'] },
    { method: 'PUT', path: '/v1/tenants/{tenantId}/settings/{section}', real: () => '/v1/tenants/acme/settings/sla', body: {}, allowed: ['admin'] },
    { method: 'GET', path: '/v1/tenants/{tenantId}/connector', real: () => '/v1/tenants/acme/connector', allowed: ['admin'] },
    { method: 'PUT', path: '/v1/tenants/{tenantId}/connector', real: () => '/v1/tenants/acme/connector', body: {}, allowed: ['admin'] },
    { method: 'DELETE', path: '/v1/tenants/{tenantId}/connector', real: () => '/v1/tenants/acme/connector', allowed: ['admin'] },
    { method: 'PUT', path: '/v1/nlu/dataset', real: () => '/v1/nlu/dataset', body: {}, allowed: ['admin'], app: 'ai-worker' },
    { method: 'POST', path: '/v1/nlu/examples', real: () => '/v1/nlu/examples', body: {}, allowed: ['admin'], app: 'ai-worker' },
    { method: 'POST', path: '/v1/nlu/feedback', real: () => '/v1/nlu/feedback', body: {}, allowed: ['admin'], app: 'ai-worker' },
    { method: 'GET', path: '/v1/nlu/dataset', real: () => '/v1/nlu/dataset', allowed: ['admin', 'supervisor'], app: 'ai-worker' },
    { method: 'POST', path: '/v1/nlu/predict', real: () => '/v1/nlu/predict', body: {}, allowed: ['admin', 'supervisor'], app: 'ai-worker' },
    { method: 'GET', path: '/v1/nlu/report', real: () => '/v1/nlu/report', allowed: ['admin', 'supervisor'], app: 'ai-worker' },
  ];

  /** One request; an allowed SSE stream is closed as soon as its headers are in. */
  const request = async (r: (typeof ROUTES)[number], key: string | null, path = r.real()): Promise<{ status: number; text: string }> => {
    const base = r.app === 'ai-worker' ? aiWorker.url : router.url;
    if (r.path !== '/v1/events') return http(base, r.method, path, key, r.body);
    const abort = new AbortController();
    const res = await fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {}, signal: abort.signal });
    const text = res.status === 200 ? '' : await res.text();
    abort.abort();
    return { status: res.status, text };
  };

  /** What acme has: compared before and after other callers' requests. */
  const acmeState = async () => {
    const out: Record<string, unknown[]> = {};
    for (const c of ['conversations', 'customers', 'agents', 'skill_groups', 'experiments', 'api_keys', 'channel_accounts', 'nlu_datasets', 'messages', 'tenant_settings']) {
      out[c] = await db.collection(c).find({ tenantId: 'acme' }).sort({ _id: 1 }).toArray();
    }
    out.tenant = await db.collection('tenants').find({ _id: 'acme' as never }).toArray();
    return JSON.stringify(out);
  };

  it('lists every /v1 route of the router’s OpenAPI document in the rights table', async () => {
    const doc = (await call('GET', '/docs-json', null)).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => (p.startsWith('/v1/') ? Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`) : []));
    expect(documented.sort()).toEqual(ROUTES.filter((r) => !r.app).map((r) => `${r.method} ${r.path}`).sort());
    // Each documents the roles it admits.
    const ops = Object.entries(doc.paths).flatMap(([p, o]) => (p.startsWith('/v1/') ? Object.values(o) : [])) as { 'x-roles'?: string[] }[];
    expect(ops.filter((o) => o['x-roles'] === undefined)).toEqual([]);
  });

  it('gives each role exactly its rights on every route, and nothing without a key', async () => {
    const conv = {
      _id: CONV, tenantId: 'acme', region: 'local', channel: 'web', accountId: 'web-acme', customerId: 'cu-acme', channelUserId: 'u-acme',
      language: 'en', state: 'bot', version: 0, since: new Date(), lastMessageAt: new Date(), createdAt: new Date(), updatedAt: new Date(),
    };
    await db.collection('conversations').insertOne(conv as never);
    const failures: string[] = [];
    for (const r of ROUTES) {
      const anonymous = await request(r, null);
      if (r.public ? anonymous.status === 401 || anonymous.status === 403 : anonymous.status !== 401) failures.push(`${r.method} ${r.path} without a key: ${anonymous.status}`);
      for (const who of [...ROLES, 'operator'] as Who[]) {
        const res = await request(r, who === 'operator' ? OPERATOR_KEY : acme.keys[who]);
        const allowed = who === 'operator' || r.allowed.includes(who);
        const ok = allowed ? res.status !== 401 && res.status !== 403 : res.status === 403;
        if (!ok) failures.push(`${r.method} ${r.path} as ${who}: ${res.status} ${res.text.slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('gives each role its rights on every gRPC method of the proto, and tenant B nothing of tenant A', async () => {
    const definition = protoLoader.loadSync(resolve(__dirname, '../../libs/contracts/proto/omni.proto'), { keepCase: false, longs: Number, defaults: true });
    const methods = Object.keys(definition['omni.router.v1.ConversationService']);
    const Service = grpc.makeGenericClientConstructor(definition['omni.router.v1.ConversationService'] as grpc.ServiceDefinition, 'ConversationService');
    const client = new Service(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure()) as unknown as Record<string, (...a: unknown[]) => unknown>;
    const meta = (key: string | null) => {
      const m = new grpc.Metadata();
      if (key) m.set('authorization', `Bearer ${key}`);
      return m;
    };
    /** The status code of one call (OK = 0); a stream that stays open for 500 ms counts as allowed. */
    const codeOf = (method: string, key: string | null, req: Record<string, unknown>) => new Promise<grpc.status>((done) => {
      const fn = client[method].bind(client);
      if (method === 'StreamConversationEvents') {
        const stream = fn(req, meta(key)) as grpc.ClientReadableStream<unknown>;
        const timer = setTimeout(() => { stream.cancel(); done(grpc.status.OK); }, 500);
        stream.on('error', (e: grpc.ServiceError) => { clearTimeout(timer); done(e.code === grpc.status.CANCELLED ? grpc.status.OK : e.code); });
        return;
      }
      fn(req, meta(key), (err: grpc.ServiceError | null) => done(err ? err.code : grpc.status.OK));
    });
    const REQ: Record<string, Record<string, unknown>> = {
      GetConversation: { conversationId: CONV },
      SendMessage: { conversationId: CONV, agentId: '', text: 'hello' },
      StreamConversationEvents: { conversationId: CONV },
    };
    // Every method of the service is in this table; each admits all four roles (the acting agent is checked per call).
    expect(methods.sort()).toEqual(Object.keys(REQ).sort());
    const failures: string[] = [];
    try {
      for (const method of methods) {
        const anonymous = await codeOf(method, null, REQ[method]);
        if (anonymous !== grpc.status.UNAUTHENTICATED) failures.push(`${method} without a key: ${anonymous}`);
        for (const who of [...ROLES, 'operator'] as Who[]) {
          const code = await codeOf(method, who === 'operator' ? OPERATOR_KEY : acme.keys[who], REQ[method]);
          if (code === grpc.status.UNAUTHENTICATED || code === grpc.status.PERMISSION_DENIED) failures.push(`${method} as ${who}: ${code}`);
        }
      }
      expect(await codeOf('GetConversation', acme.keys.agent, REQ.GetConversation)).toBe(grpc.status.OK);
      // The acting agent comes from the key: acme's agent key naming another agent is refused.
      expect(await codeOf('SendMessage', acme.keys.agent, { conversationId: CONV, agentId: 'someone-else', text: 'hi' })).toBe(grpc.status.PERMISSION_DENIED);
      for (const role of ROLES) {
        expect(await codeOf('GetConversation', globex.keys[role], REQ.GetConversation)).toBe(grpc.status.NOT_FOUND);
        expect(await codeOf('SendMessage', globex.keys[role], { conversationId: CONV, agentId: role === 'agent' ? 'globex-ana' : role === 'service' ? 'globex-crm' : 'x', text: 'hi' })).toBe(grpc.status.NOT_FOUND);
      }
    } finally {
      (client as unknown as grpc.Client).close();
    }
    expect(failures).toEqual([]);
    expect(await db.collection('messages').countDocuments({ conversationId: CONV })).toBe(0);
  });

  it('never lets tenant B read or change anything of tenant A, whatever its role', async () => {
    const before = await acmeState();
    const marks = [CONV, 'cu-acme', AGENT, ...Object.values(acme.accounts), ...Object.values(acme.keyIds)];
    const leaks: string[] = [];
    for (const r of ROUTES) {
      for (const role of ROLES) {
        const res = await request(r, globex.keys[role]);
        if (res.status === 401) leaks.push(`${r.method} ${r.path} as globex ${role}: 401`);
        // A 4xx may echo the id it refuses; a success must hold nothing of acme's.
        if (res.status < 300 && marks.some((m) => res.text.includes(m))) leaks.push(`${r.method} ${r.path} as globex ${role}: ${res.text.slice(0, 160)}`);
        if (r.path.includes('{tenantId}') && res.status !== 403) leaks.push(`${r.method} ${r.path} as globex ${role}: ${res.status}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(await acmeState()).toBe(before);
    // And acme's own view is intact.
    expect((await call('GET', `/v1/conversations/${CONV}`, acme.keys.agent)).status).toBe(200);
  });

  it('acts as the credential’s agent, expires keys, and revokes them at once', async () => {
    const res = await call('POST', `/v1/conversations/${CONV}/messages`, acme.keys.agent, { agentId: 'someone-else', text: 'hi' });
    expect(res.status).toBe(403);
    const soon = await call('POST', '/v1/tenants/acme/api-keys', acme.keys.admin, { role: 'supervisor', expiresAt: new Date(Date.now() + 2_000).toISOString() });
    const { id, key } = soon.json() as { id: string; key: string };
    secrets.push(key);
    expect((await call('GET', '/v1/reports/conversations', key)).status).toBe(200);
    await waitFor('the key to expire', async () => (await call('GET', '/v1/reports/conversations', key)).status === 401, 10_000, 250);
    expect((await call('DELETE', `/v1/tenants/acme/api-keys/${acme.keyIds.service}`, globex.keys.admin)).status).toBe(403);
    expect((await call('DELETE', `/v1/tenants/globex/api-keys/${acme.keyIds.service}`, globex.keys.admin)).status).toBe(404);
    expect((await call('DELETE', `/v1/tenants/acme/api-keys/${acme.keyIds.service}`, acme.keys.admin)).status).toBe(204);
    expect((await call('GET', '/v1/conversations', acme.keys.service)).status).toBe(401);
    expect((await call('DELETE', `/v1/tenants/acme/api-keys/${id}`, acme.keys.admin)).status).toBe(204);
  });

  it("changes a tenant's settings one section at a time: validated, versioned, audited, and the handoff policy applied (issue 12 #6)", async () => {
    const path = '/v1/tenants/acme/settings';
    const put = (section: string, body: unknown, ifMatch?: string) =>
      fetch(`${router.url}${path}/${section}`, {
        method: 'PUT', body: JSON.stringify(body),
        headers: { authorization: `Bearer ${acme.keys.admin}`, 'content-type': 'application/json', ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      }).then(async (r) => ({ status: r.status, json: (await r.json()) }));
    const start = ((await call('GET', path, acme.keys.admin)).json() as { version: number }).version;
    const bad = await put('sla', { firstResponseSeconds: -5 });
    expect(bad.status).toBe(400);
    expect((bad.json as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['sla.firstResponseSeconds']);
    expect((await put('sla', { firstResponseSeconds: 120 })).json).toEqual({ version: start + 1 });
    expect((await put('handoffPolicy', { humanRequest: { intents: ['talk_to_human', 'complaint'] } }, String(start + 1))).json).toEqual({ version: start + 2 });
    expect((await put('sla', { firstResponseSeconds: 60 }, String(start + 1))).status).toBe(409);
    const now = (await call('GET', path, acme.keys.admin)).json() as { version: number; settings: Record<string, unknown>; updatedBy: string };
    expect(now).toMatchObject({ version: start + 2, settings: { sla: { firstResponseSeconds: 120 } } });
    // The router's handoff rules read the tenant: the policy is there.
    const tenant = await db.collection('tenants').findOne({ _id: 'acme' as never });
    expect(tenant?.handoffPolicy).toMatchObject({ humanRequest: { intents: ['talk_to_human', 'complaint'] } });
    const audit = (await call('GET', `${path}/audit`, acme.keys.admin)).json() as { entries: { version: number; section: string; by: string; at: string; before: unknown; after: unknown }[] };
    expect(audit.entries.slice(0, 2).map((e) => [e.version, e.section, e.before])).toEqual([[start + 2, 'handoffPolicy', null], [start + 1, 'sla', null]]);
    expect(audit.entries[1]).toMatchObject({ after: { firstResponseSeconds: 120 }, by: expect.stringContaining('api:') as string, at: expect.any(String) as string });
    // Another tenant's admin reads nothing of it.
    expect((await call('GET', path, globex.keys.admin)).status).toBe(403);
    expect((await call('GET', `${path}/audit`, acme.keys.supervisor)).status).toBe(403);
  });

  it('rotates and disconnects an account; the API never answers a secret', async () => {
    const path = `/v1/tenants/acme/channel-accounts/${acme.accounts.wa2}`;
    const rotated = await call('PUT', `${path}/credentials`, acme.keys.admin, { accessToken: secret('EAAG'), appSecret: appSecret() });
    expect(rotated.status).toBe(204);
    const one = (await call('GET', path, acme.keys.admin)).json() as Record<string, unknown>;
    expect(one).toMatchObject({ channel: 'whatsapp', externalId: '20000000000102', settings: { wabaId: '300000000000001' }, hasCredentials: true, credentialsUpdatedAt: expect.any(String) });
    expect(Object.keys(one)).not.toEqual(expect.arrayContaining(['secrets']));
    expect((await call('DELETE', path, globex.keys.admin)).status).toBe(403);
    expect((await call('DELETE', path, acme.keys.admin)).status).toBe(204);
    expect((await call('GET', path, acme.keys.admin)).status).toBe(404);
    // Disconnected: the number may now be connected again (here by globex).
    expect((await call('POST', '/v1/tenants/globex/channel-accounts', globex.keys.admin, waAccount('20000000000102'))).status).toBe(201);
  });

  it("sets a tenant's workflow connector with a write-only signing secret, rotates it, and shows only fingerprints (ADR 0226)", async () => {
    const path = '/v1/tenants/acme/connector';
    const first = secret('cs');
    const next = secret('cs');
    const missing = await call('PUT', path, acme.keys.admin, { baseUrl: 'https://connector.acme.example' });
    expect(missing.status).toBe(400);
    expect((missing.json() as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['signingSecret']);
    const set = await call('PUT', path, acme.keys.admin, { baseUrl: 'https://connector.acme.example', signingSecret: first });
    expect(set.status).toBe(200);
    const fingerprint = (set.json() as { signingSecret: { set: boolean; fingerprint: string } }).signingSecret;
    expect(fingerprint).toEqual({ set: true, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const rotated = (await call('PUT', path, acme.keys.admin, { baseUrl: 'https://connector.acme.example', signingSecret: next, overlapHours: 2 })).json();
    expect(rotated).toMatchObject({ previousSecret: { fingerprint: fingerprint.fingerprint, acceptedUntil: expect.any(String) } });
    expect((await call('GET', path, acme.keys.admin)).json()).toEqual(rotated);
    expect((await call('GET', path, globex.keys.admin)).status).toBe(403);
    expect((await call('GET', '/v1/tenants/globex/connector', globex.keys.admin)).status).toBe(404);
  });

  it('rotates the KEK without downtime: old envelopes keep opening, the router rewraps them, then the old KEK can go', async () => {
    await stopRouter();
    await startRouter({ SECRETS_KEK: K2, SECRETS_KEK_PREVIOUS: K1 });
    await waitFor('every data key rewrapped under k2', async () => (await db.collection('channel_accounts').countDocuments({ 'secrets.key.kekId': 'k1' })) === 0, 30_000, 250);
    expect(await db.collection('channel_accounts').countDocuments({ 'secrets.key.kekId': 'k2' })).toBeGreaterThan(10);
    await waitFor("acme's connector secret rewrapped under k2", async () => (await db.collection('tenant_connectors').countDocuments({ _id: 'acme' as never, 'secrets.key.kekId': 'k2' })) === 1, 30_000, 250);
    await stopRouter();
    await startRouter({ SECRETS_KEK: K2 });
    // Telegram's rotation opens the old envelope (it keeps the webhook secret): proof it still decrypts under k2 alone.
    const bot = await call('PUT', `/v1/tenants/acme/channel-accounts/${acme.accounts.bot}/credentials`, acme.keys.admin, { botToken: `500000001:${secret('AAH')}` });
    expect(bot.status).toBe(204);
    // The connector's envelope opens under k2 alone (a URL-only change opens it to keep the secret).
    expect((await call('PUT', '/v1/tenants/acme/connector', acme.keys.admin, { baseUrl: 'https://connector2.acme.example' })).status).toBe(200);
    // The bootstrap ran three times: still one account per env value.
    expect(((await call('GET', '/v1/tenants/default/channel-accounts', OPERATOR_KEY)).json() as unknown[])).toHaveLength(4);
  }, 120_000);

  it('keeps every secret out of the stored documents, the logs and the answers', async () => {
    const stored: string[] = [];
    for (const c of await db.listCollections()) {
      for (const d of await db.collection(c.name).find({}).toArray()) stored.push(JSON.stringify(d));
    }
    const everything = { stored: stored.join('\n'), logs: logs.join(''), answers: answers.join('\n') };
    // The scan has something to scan: the accounts are stored, the router logged at info, answers were kept.
    expect(everything.stored).toContain('20000000000101');
    expect(everything.logs).toContain('connected the env account to the bootstrap tenant');
    expect(answers.length).toBeGreaterThan(300);
    const found: string[] = [];
    for (const s of secrets) {
      for (const [where, text] of Object.entries(everything)) {
        if (text.includes(s) && !(where === 'answers' && isIssuedKey(s))) found.push(`${where}: ${s.slice(0, 6)}…`);
        if (text.includes(Buffer.from(s).toString('base64'))) found.push(`${where} (base64): ${s.slice(0, 6)}…`);
      }
    }
    expect(found).toEqual([]);
  });

  /** An issued key is in exactly one answer, its creation's (shown once). */
  const isIssuedKey = (s: string) => s.startsWith('omk_') && answers.filter((a) => a.includes(s)).length === 1;
});
