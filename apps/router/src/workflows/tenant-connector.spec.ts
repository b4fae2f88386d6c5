import { OmniError, ValidationError } from '@omni/contracts';
import { newKek, newTestEnvelopes } from '@omni/secrets';
import type { RouterConfig } from '../config';
import type { TenantSettings } from '../conversations/tenant-settings';
import { newTenancyHarness } from '../tenancy/testing';
import type { CustomerVerification } from './customer-verification';
import type { RunWorkflowUseCase } from './run-workflow.use-case';
import { SetTenantConnectorUseCase, TenantConnectors, secretFingerprint } from './tenant-connector';
import { workflowConfig } from './workflow-config';
import { Workflows } from './workflows';

const A1 = 'tenant-a-secret-1-0123456789abcdef0123456789';
const A2 = 'tenant-a-secret-2-0123456789abcdef0123456789';
const B1 = 'tenant-b-secret-1-0123456789abcdef0123456789';
const ENV = 'deployment-env-secret-0123456789';
const T0 = new Date('2026-12-07T12:00:00Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

function setup(kek = newKek('k1')) {
  const h = newTenancyHarness(kek);
  const set = new SetTenantConnectorUseCase(h.connectors, h.tenants, h.envelopes);
  const resolver = new TenantConnectors(h.connectors, h.envelopes);
  const settings = { get: async () => ({ workflows: workflowConfig({}) }) } as unknown as TenantSettings;
  const workflows = new Workflows(settings, {} as RunWorkflowUseCase, {} as CustomerVerification, resolver, { CONNECTOR_BASE_URL: 'http://env-connector', CONNECTOR_SIGNING_SECRET: ENV } as RouterConfig);
  return { ...h, set, resolver, workflows };
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
