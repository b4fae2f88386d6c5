import { createConnection, Connection } from 'mongoose';
import { RunningApp, freePort, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';
import { apiCall } from '../support/tenancy';

const OPERATOR = 'omni-e2e-operator-key-regions-config';
const ACCESS_TOKEN = `EAAG${'x'.repeat(40)}regionsconfige2e`;
const APP_SECRET = 'f'.repeat(32);

/**
 * Two regions' routers, each with its own store (the Kafka cluster shared under two topic prefixes
 * stands in for two: this is about the HTTP link and the stores): a tenant onboarded through the API
 * in its home region is paired with the standby, which pulls its configuration — so the tenant's
 * own keys work there, its account is known there (sealed as stored) — and after the failover the
 * direction turns: the old home follows the new active region's changes.
 */
describe('regions: a tenant made through the API is paired and its configuration follows it (two routers, two stores)', () => {
  const name = uniqueName('regcfg');
  let a: RunningApp;
  let b: RunningApp;
  let dbB: Connection;

  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const region = (me: string, peer: string, port: number, peerPort: number) => ({
      ...stackEnv({ prefix: `${name}-${me}`, db: `${name}_${me}` }),
      API_KEY: OPERATOR, ROUTER_PORT: String(port),
      REGION: me, REGIONS: 'local-a,local-b', REGION_PEERS: `${peer}=http://127.0.0.1:${peerPort}`,
      REGION_PEER_POLL_MS: '300', REGION_PEER_TIMEOUT_MS: '500', REGION_BOOT_FENCE_POLLS: '2', REGION_FAILOVER_AFTER_MS: '0', REGION_CONFIG_SYNC_MS: '300',
    });
    a = await startApp('router', region('local-a', 'local-b', portA, portB));
    b = await startApp('router', region('local-b', 'local-a', portB, portA));
    dbB = await createConnection(mongoUri(`${name}_local-b`)).asPromise();
  });

  afterAll(async () => {
    if (process.env.DUMP_LOGS) for (const r of [a, b]) console.log(r?.name, r?.logs.join('').slice(-6000));
    await Promise.all([a, b].filter(Boolean).map((r) => r.stop()));
    await dbB?.close();
  });

  it('pairs the tenant, replicates its accounts and keys to the standby, refuses what cannot be paired, and turns the direction at the failover', async () => {
    const tenant = { name: 'Acme', languages: ['en'], timeZone: 'Europe/Lisbon' };
    // Refused, naming the field: an unknown standby, a standby equal to the home, a paired tenant made outside its home.
    expect(await apiCall(a.url, 'POST', '/v1/tenants', OPERATOR, { ...tenant, id: 'nope', homeRegion: 'local-a', standbyRegion: 'mars-1' })).toMatchObject({ status: 400, json: { issues: [{ path: 'standbyRegion' }] } });
    expect(await apiCall(a.url, 'POST', '/v1/tenants', OPERATOR, { ...tenant, id: 'nope', homeRegion: 'local-a', standbyRegion: 'local-a' })).toMatchObject({ status: 400, json: { issues: [{ path: 'standbyRegion' }] } });
    expect(await apiCall(b.url, 'POST', '/v1/tenants', OPERATOR, { ...tenant, id: 'nope', homeRegion: 'local-a' })).toMatchObject({ status: 400, json: { issues: [{ path: 'homeRegion' }] } });
    expect((await apiCall(a.url, 'GET', '/v1/tenants/nope', OPERATOR)).status).toBe(404);

    const created = await apiCall(a.url, 'POST', '/v1/tenants', OPERATOR, { ...tenant, id: 'acme', homeRegion: 'local-a' });
    expect(created).toEqual({ status: 201, json: { id: 'acme', homeRegion: 'local-a', standbyRegion: 'local-b' } });
    const adminKey = ((await apiCall(a.url, 'POST', '/v1/tenants/acme/api-keys', OPERATOR, { role: 'admin' })).json as { key: string }).key;
    const account = await apiCall(a.url, 'POST', '/v1/tenants/acme/channel-accounts', adminKey, { channel: 'whatsapp', phoneNumberId: '300000000000777', accessToken: ACCESS_TOKEN, appSecret: APP_SECRET });
    expect(account.status).toBe(201);

    // The standby knows the pair (the directory poll) and, within a few sync rounds, the tenant's own
    // key works there and its account is listed — with its credentials sealed, as in the home region.
    await waitFor('the pair in local-b’s directory', async () => {
      const dir = (await apiCall(b.url, 'GET', '/v1/regions/directory', OPERATOR)).json as { assignments: { tenantId: string; active: string; standby: string }[] };
      return dir.assignments.some((x) => x.tenantId === 'acme' && x.active === 'local-a' && x.standby === 'local-b');
    }, 30_000, 200);
    const listedInB = await waitFor('acme’s account listed in local-b with acme’s own key', async () => {
      const r = await apiCall(b.url, 'GET', '/v1/tenants/acme/channel-accounts', adminKey);
      return r.status === 200 && (r.json as unknown[]).length === 1 ? (r.json as { channel: string; externalId: string; hasCredentials: boolean }[]) : undefined;
    }, 30_000, 200);
    expect(listedInB[0]).toMatchObject({ channel: 'whatsapp', externalId: '300000000000777', hasCredentials: true });
    const stored = JSON.stringify(await dbB.collection('channel_accounts').find({ tenantId: 'acme' }).toArray());
    expect(stored).toContain('300000000000777');
    expect(stored).not.toContain(ACCESS_TOKEN);
    expect(stored).not.toContain(APP_SECRET);
    expect(await apiCall(b.url, 'GET', '/v1/tenants/acme', OPERATOR)).toMatchObject({ status: 200, json: { name: 'Acme', timeZone: 'Europe/Lisbon' } });

    // The route the standby pulls: operator only; an unchanged copy comes back as 304 without a body.
    const configUrl = `${a.url}/v1/regions/tenants/acme/config`;
    expect((await fetch(configUrl, { headers: { authorization: `Bearer ${adminKey}` } })).status).toBe(403);
    const full = await fetch(configUrl, { headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(full.status).toBe(200);
    expect(JSON.stringify(await full.json())).not.toContain(ACCESS_TOKEN);
    const etag = full.headers.get('etag') ?? '';
    expect((await fetch(configUrl, { headers: { authorization: `Bearer ${OPERATOR}`, 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${a.url}/v1/regions/tenants/nobody/config`, { headers: { authorization: `Bearer ${OPERATOR}` } })).status).toBe(404);

    // The failover turns the direction: local-b is the source now, local-a follows it — a key
    // revoked in local-b stops working in local-a.
    const over = await apiCall(a.url, 'POST', '/v1/tenants/acme/failover', OPERATOR, { to: 'local-b' });
    expect(over).toMatchObject({ status: 200, json: { active: 'local-b', epoch: 2 } });
    await waitFor('local-b active for acme in its own directory', async () => {
      const dir = (await apiCall(b.url, 'GET', '/v1/regions/directory', OPERATOR)).json as { assignments: { tenantId: string; active: string }[] };
      return dir.assignments.some((x) => x.tenantId === 'acme' && x.active === 'local-b');
    }, 30_000, 200);
    const agentKey = (await apiCall(b.url, 'POST', '/v1/tenants/acme/api-keys', adminKey, { role: 'agent', agentId: 'ana' })).json as { id: string; key: string };
    await waitFor('the key made in local-b works in local-a', async () => (await apiCall(a.url, 'GET', '/v1/me', agentKey.key)).status === 200, 30_000, 200);
    expect((await apiCall(b.url, 'DELETE', `/v1/tenants/acme/api-keys/${agentKey.id}`, adminKey)).status).toBe(204);
    await waitFor('the key revoked in local-b refused in local-a', async () => (await apiCall(a.url, 'GET', '/v1/me', agentKey.key)).status === 401, 30_000, 200);
  });
});
