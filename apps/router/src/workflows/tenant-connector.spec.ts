import { OmniError, ValidationError } from '@omni/contracts';
import { newKek, newTestEnvelopes } from '@omni/secrets';
import type { RouterConfig } from '../config';
import type { TenantSettings } from '../conversations/tenant-settings';
import { newTenancyHarness } from '../tenancy/testing';
import { ConnectorUrlGuard } from './connector-url-guard';
import type { CustomerVerification } from './customer-verification';
import type { RunWorkflowUseCase } from './run-workflow.use-case';
import { SetTenantConnectorUseCase, TenantConnectors, secretFingerprint } from './tenant-connector';
import { workflowConfig } from './workflow-config';
import { fakeDns } from './testing';
import { Workflows } from './workflows';

const A1 = 'tenant-a-secret-1-0123456789abcdef0123456789';
const A2 = 'tenant-a-secret-2-0123456789abcdef0123456789';
const B1 = 'tenant-b-secret-1-0123456789abcdef0123456789';
const ENV = 'deployment-env-secret-0123456789';
const T0 = new Date('2026-12-07T12:00:00Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

/** Public names of the tests' connectors, and one of a company's internal hosts. */
const DNS = { 'connector.a.example': ['93.184.216.34'], 'connector2.a.example': ['93.184.216.35'], 'connector.b.example': ['93.184.216.36'], 'x.example': ['93.184.216.37'], 'orders.internal.example': ['10.0.3.7'] };

function setup(kek = newKek('k1'), allowHosts: string[] = []) {
  const h = newTenancyHarness(kek);
  const dns = fakeDns(DNS);
  const set = new SetTenantConnectorUseCase(h.connectors, h.tenants, h.envelopes, new ConnectorUrlGuard(allowHosts, dns));
  const resolver = new TenantConnectors(h.connectors, h.envelopes);
  const settings = { get: async () => ({ workflows: workflowConfig({}) }) } as unknown as TenantSettings;
  const workflows = new Workflows(settings, {} as RunWorkflowUseCase, {} as CustomerVerification, resolver, { CONNECTOR_BASE_URL: 'http://env-connector', CONNECTOR_SIGNING_SECRET: ENV } as RouterConfig);
  return { ...h, set, resolver, workflows, dns };
}
const ORDER_STATUS = { intent: { name: 'order_status', confidence: 0.9 }, entities: [{ type: 'order_number', value: 'ORD-1', start: 0, end: 5 }] };

describe('a tenant’s connector and its signing secret (ADR 0226)', () => {
  it('stores the secret only sealed and shows only its fingerprint; the first set needs a secret (400 naming it)', async () => {
    const { set, resolver } = setup();
    const refused = await set.execute('t1', { baseUrl: 'https://connector.a.example' }, 'api:admin', T0).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues.map((i) => i.path)).toEqual(['signingSecret']);
    const short = await set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: 'short' }, 'api:admin', T0).catch((e: unknown) => e);
    expect((short as ValidationError).issues.map((i) => i.path)).toEqual(['signingSecret']);

    const view = await set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A1 }, 'api:admin', T0);
    expect(view).toEqual({ tenantId: 't1', baseUrl: 'https://connector.a.example', signingSecret: { set: true, fingerprint: secretFingerprint(A1) }, updatedBy: 'api:admin', updatedAt: T0 });
    expect(JSON.stringify(view)).not.toContain(A1);
    expect(await resolver.of('t1')).toEqual({ baseUrl: 'https://connector.a.example', signingSecrets: [A1] });
  });

  it('signs with the tenant’s own secret, never the deployment’s; a tenant without one falls back to the env connector and secret', async () => {
    const { set, workflows } = setup();
    await set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A1 }, 'api:admin', T0);
    await set.execute('t2', { baseUrl: 'https://connector.b.example/', signingSecret: B1 }, 'api:admin', T0);
    expect((await workflows.triggered('t1', ORDER_STATUS, 'where is ORD-1'))?.connector).toEqual({ baseUrl: 'https://connector.a.example/', signingSecrets: [A1] });
    expect((await workflows.triggered('t2', ORDER_STATUS, 'where is ORD-1'))?.connector).toEqual({ baseUrl: 'https://connector.b.example/', signingSecrets: [B1] });
    expect((await workflows.triggered('default', ORDER_STATUS, 'where is ORD-1'))?.connector).toEqual({ baseUrl: 'http://env-connector/', signingSecrets: [ENV] });
  });

  it('rotates: the previous secret is sent beside the new one for the overlap, then dropped; a URL change keeps the rotation', async () => {
    const { set, resolver } = setup();
    await set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A1 }, 'api:admin', T0);
    const rotated = await set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A2, overlapHours: 2 }, 'api:admin', hours(1));
    expect(rotated).toMatchObject({ signingSecret: { fingerprint: secretFingerprint(A2) }, previousSecret: { fingerprint: secretFingerprint(A1), acceptedUntil: hours(3) } });
    expect(await resolver.of('t1', hours(2).getTime())).toEqual({ baseUrl: 'https://connector.a.example', signingSecrets: [A2, A1] });
    const moved = await set.execute('t1', { baseUrl: 'https://connector2.a.example' }, 'api:admin', hours(2));
    expect(moved.previousSecret).toEqual({ fingerprint: secretFingerprint(A1), acceptedUntil: hours(3) });
    resolver.forget('t1');
    expect(await resolver.of('t1', hours(2.5).getTime())).toEqual({ baseUrl: 'https://connector2.a.example', signingSecrets: [A2, A1] });
    resolver.forget('t1');
    expect(await resolver.of('t1', hours(3.1).getTime())).toEqual({ baseUrl: 'https://connector2.a.example', signingSecrets: [A2] });
  });

  it('drops the previous secret at once with overlapHours 0', async () => {
    const { set, resolver } = setup();
    await set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A1 }, 'api:admin', T0);
    const view = await set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A2, overlapHours: 0 }, 'api:admin', hours(1));
    expect(view.previousSecret).toBeUndefined();
    expect(await resolver.of('t1', hours(1).getTime())).toEqual({ baseUrl: 'https://connector.a.example', signingSecrets: [A2] });
  });

  it('of two rotations at once, one wins and the other is a 409: no secret is dropped unseen', async () => {
    const { set } = setup();
    await set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A1 }, 'api:admin', T0);
    const results = await Promise.allSettled([
      set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A2 }, 'api:one', hours(1)),
      set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: B1 }, 'api:two', hours(1)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(OmniError);
    expect((rejected.reason as OmniError).code).toBe('conflict');
  });

  it.each([
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/'],
    ['a loopback literal', 'https://127.0.0.1:8080/'],
    ['an IPv6 loopback literal', 'https://[::1]/'],
    ['an IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/'],
    ['a private literal', 'https://192.168.1.10/'],
    ['a name that resolves to a private address', 'https://orders.internal.example/'],
    ['plain http to a public name', 'http://connector.a.example/'],
    ['credentials in the URL', 'https://user:pw@connector.a.example/'],
  ])('refuses a connector URL into the router’s own network at save (400 naming baseUrl): %s', async (_why, baseUrl) => {
    const { set, connectors } = setup();
    const refused = await set.execute('t1', { baseUrl, signingSecret: A1 }, 'api:admin', T0).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues.map((i) => i.path)).toEqual(['baseUrl']);
    expect(connectors.rows.size).toBe(0);
  });

  it('accepts a loopback or private connector only through CONNECTOR_ALLOW_HOSTS (the demo and test profiles’ loopback)', async () => {
    const { set } = setup(newKek('k1'), ['127.0.0.1', 'orders.internal.example:8443']);
    expect((await set.execute('t1', { baseUrl: 'http://127.0.0.1:3030', signingSecret: A1 }, 'api:admin', T0)).baseUrl).toBe('http://127.0.0.1:3030');
    expect((await set.execute('t1', { baseUrl: 'https://orders.internal.example:8443/' }, 'api:admin', T0)).baseUrl).toBe('https://orders.internal.example:8443/');
    // The entry names a port: the same host on another port is still refused.
    const other = await set.execute('t1', { baseUrl: 'https://orders.internal.example:22/' }, 'api:admin', T0).catch((e: unknown) => e);
    expect((other as ValidationError).issues.map((i) => i.path)).toEqual(['baseUrl']);
  });

  it('refuses an unknown tenant (404) and keeps the secret out of the stored document', async () => {
    const h = setup();
    await expect(h.set.execute('nobody', { baseUrl: 'https://x.example', signingSecret: A1 }, 'operator', T0)).rejects.toThrow(/tenant nobody/);
    await h.set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A1 }, 'api:admin', T0);
    await h.set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A2 }, 'api:admin', hours(1));
    const stored = JSON.stringify([...h.connectors.rows.values()]);
    for (const s of [A1, A2]) expect(stored).not.toContain(s);
  });

  it('rewraps the connector’s envelope after a KEK rotation, and it still opens', async () => {
    const k1 = newKek('k1');
    const k2 = newKek('k2');
    const before = setup(k1);
    await before.set.execute('t1', { baseUrl: 'https://connector.a.example', signingSecret: A1 }, 'api:admin', T0);
    const after = newTenancyHarness(k2, [k1]);
    for (const [id, row] of before.connectors.rows) after.connectors.rows.set(id, row);
    expect(await after.rewrap.run()).toBe(1);
    expect(after.connectors.rows.get('t1')?.secrets.key.kekId).toBe('k2');
    const onlyK2 = newTestEnvelopes(k2).envelopes;
    expect(await new TenantConnectors(after.connectors, onlyK2).of('t1')).toEqual({ baseUrl: 'https://connector.a.example', signingSecrets: [A1] });
  });
});
