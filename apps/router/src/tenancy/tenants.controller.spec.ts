import { ValidationError } from '@omni/contracts';
import type { RegionDirectory } from '../regions/region-directory';
import { TenantsController } from './tenants.controller';
import { newMemoryTenants } from './testing';

describe('PATCH /v1/tenants/{id}: Kafka crypto-shredding opt-in (ADR 0501)', () => {
  const setup = () => {
    const tenants = newMemoryTenants(['t1', 'paired']);
    const regions = { get: (id: string) => (id === 'paired' ? { tenantId: id } : undefined) } as unknown as RegionDirectory;
    return { tenants, controller: new TenantsController(tenants, regions, { REGION: 'local', REGION_PEERS: [] }) };
  };

  it('turns it on with the date it started (events before it stay in clear), and keeps that date when set again', async () => {
    const { controller, tenants } = setup();
    const on = await controller.update('t1', { kafkaShredding: true });
    expect(on).toMatchObject({ kafkaShredding: true, kafkaShreddingSince: expect.any(Date) });
    const since = on.kafkaShreddingSince;
    await new Promise((r) => setTimeout(r, 5));
    expect((await controller.update('t1', { kafkaShredding: true })).kafkaShreddingSince).toEqual(since);
    expect((await tenants.get('t1'))?.kafkaShredding).toBe(true);
    expect((await controller.update('t1', { kafkaShredding: false })).kafkaShredding).toBe(false);
  });

  it('refuses it for a tenant paired across regions (400 naming the field): the standby has no keys and would drop its messages as erased', async () => {
    const { controller } = setup();
    const err = await controller.update('paired', { kafkaShredding: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['kafkaShredding']);
    const bad = await controller.update('t1', { kafkaShredding: 'yes' }).catch((e: unknown) => e);
    expect((bad as ValidationError).issues.map((i) => i.path)).toEqual(['kafkaShredding']);
  });
});
