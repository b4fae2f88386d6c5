import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ValidationError } from '@omni/contracts';
import { PersistenceModule, TENANT_DIRECTORY, TENANT_SETTINGS_STORE, type TenantDirectory, type TenantSettingsStore } from '@omni/persistence';
import { type RoutingConversation, decide, outOfHoursMessage } from '@omni/routing';
import { RoutingDirectory } from '../routing/routing-directory';
import { ChangeTenantSettingsUseCase } from './change-tenant-settings.use-case';
import { mongoUri, uniqueName } from '../../../../test/support/env';

const uri = mongoUri(uniqueName('settings-effects'));

// Saturday 2026-12-12 11:00 in Lisbon (UTC+0 in winter); Monday 2026-12-14 10:00.
const SATURDAY = new Date('2026-12-12T11:00:00Z');
const MONDAY = new Date('2026-12-14T10:00:00Z');
const WEEKDAYS_9_TO_18 = { timeZone: 'Europe/Lisbon', weekly: { mon: [{ from: '09:00', to: '18:00' }], tue: [{ from: '09:00', to: '18:00' }], wed: [{ from: '09:00', to: '18:00' }], thu: [{ from: '09:00', to: '18:00' }], fri: [{ from: '09:00', to: '18:00' }] } };

const conversation = (over: Partial<RoutingConversation> = {}): RoutingConversation => ({
  id: `c-${Math.random().toString(36).slice(2)}`, channel: 'whatsapp', language: 'pt-BR', customer: { id: 'cust-1' }, ...over,
});

/**
 * Issue 12 #6 on the real database: the routing-related sections of a tenant's settings act. The skill
 * groups written through the settings are the groups routing reads; the business hours close every
 * group that has none of its own (the customer is told in their language when the team is back, or the
 * conversation goes to the after-hours group); the first-response SLA is how long a conversation waits
 * in a group before it overflows. Each assertion fails when the section is only stored.
 */
describe('tenant settings that act on routing', () => {
  let app: INestApplicationContext;
  let change: ChangeTenantSettingsUseCase;
  let routing: RoutingDirectory;
  let store: TenantSettingsStore;

  beforeAll(async () => {
    @Module({ imports: [PersistenceModule.forRoot(uri)], providers: [ChangeTenantSettingsUseCase, RoutingDirectory] })
    class SettingsEffects {}
    app = await NestFactory.createApplicationContext(SettingsEffects, { logger: false, abortOnError: false });
    change = app.get(ChangeTenantSettingsUseCase);
    routing = app.get(RoutingDirectory);
    store = app.get(TENANT_SETTINGS_STORE);
    const tenants = app.get<TenantDirectory>(TENANT_DIRECTORY);
    await tenants.create({ _id: 'acme', name: 'Acme', languages: ['pt', 'en'], timeZone: 'Europe/Lisbon' });
    await tenants.create({ _id: 'globex', name: 'Globex' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('routes with the skill groups written as settings, and keeps them versioned in the audit log', async () => {
    await change.execute('acme', 'skillGroups', [
      { id: 'sales', name: 'Vendas', languages: ['pt'], fallbackGroupId: 'overflow' },
      { id: 'overflow', languages: [] },
      { id: 'night', languages: [] },
    ], 'api:acme admin');
    const groups = await routing.groupsOf('acme');
    expect(groups.map((g) => g.id)).toEqual(['sales', 'overflow', 'night']);
    expect(decide(conversation(), groups, [], MONDAY)).toMatchObject({ kind: 'queue', groupId: 'sales' });
    // Another tenant is untouched: its one default group.
    expect((await routing.groupsOf('globex')).map((g) => g.id)).toEqual(['default']);
    const [audit] = await store.history('acme', 1);
    expect(audit).toMatchObject({ section: 'skillGroups', by: 'api:acme admin', before: null, after: expect.arrayContaining([expect.objectContaining({ id: 'sales' })]) });
  });

  it('closes the groups outside business hours: the customer is told in their language when the team is back', async () => {
    expect(decide(conversation(), await routing.groupsOf('acme'), [], SATURDAY)).toMatchObject({ kind: 'queue', groupId: 'sales' });
    await change.execute('acme', 'hours', WEEKDAYS_9_TO_18, 'api:acme admin');
    const groups = await routing.groupsOf('acme');
    const closed = decide(conversation(), groups, [], SATURDAY);
    expect(closed).toMatchObject({ kind: 'out_of_hours', groupId: 'sales', nextOpenAt: new Date('2026-12-14T09:00:00Z') });
    if (closed.kind !== 'out_of_hours') throw new Error('expected out of hours');
    expect(outOfHoursMessage('pt-BR', closed.nextOpenAt, groups[0].hours?.timeZone ?? 'UTC')).toMatch(/^Obrigado pela mensagem\. Nossa equipe não está disponível agora; voltamos segunda-feira/);
    // Open on a weekday.
    expect(decide(conversation(), groups, [], MONDAY)).toMatchObject({ kind: 'queue', groupId: 'sales' });
  });

  it('sends conversations to the after-hours group while closed, and refuses one that is not a group (400 naming the field)', async () => {
    await change.execute('acme', 'hours', { ...WEEKDAYS_9_TO_18, afterHoursGroupId: 'night' }, 'api:acme admin');
    const groups = await routing.groupsOf('acme');
    expect(groups.find((g) => g.id === 'night')?.hours).toBeUndefined();
    expect(decide(conversation(), groups, [], SATURDAY)).toMatchObject({ kind: 'queue', groupId: 'night', overflowedFrom: 'sales' });
    const refused = await change.execute('acme', 'hours', { ...WEEKDAYS_9_TO_18, afterHoursGroupId: 'nobody' }, 'api:acme admin').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError & { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['hours.afterHoursGroupId']);
    expect((await store.latest('acme'))?.section).toBe('hours');
    expect((await store.latest('acme'))?.settings.hours).toMatchObject({ afterHoursGroupId: 'night' });
  });

  it('overflows a waiting conversation after the first-response SLA, unless its group has its own', async () => {
    const waiting = (seconds: number) => conversation({ queued: { groupId: 'sales', since: new Date(MONDAY.getTime() - seconds * 1000), firstQueuedAt: new Date(MONDAY.getTime() - seconds * 1000) } });
    // Without the setting a group waits 300 s.
    expect(decide(waiting(90), await routing.groupsOf('acme'), [], MONDAY)).toMatchObject({ kind: 'queue', groupId: 'sales' });
    await change.execute('acme', 'sla', { firstResponseSeconds: 60 }, 'api:acme admin');
    expect(decide(waiting(90), await routing.groupsOf('acme'), [], MONDAY)).toMatchObject({ kind: 'queue', groupId: 'overflow', overflowedFrom: 'sales' });
    expect(decide(waiting(30), await routing.groupsOf('acme'), [], MONDAY)).toMatchObject({ kind: 'queue', groupId: 'sales' });
    // A group's own slaSeconds wins over the tenant's.
    await change.execute('acme', 'skillGroups', [
      { id: 'sales', languages: ['pt'], fallbackGroupId: 'overflow', slaSeconds: 600 }, { id: 'overflow' }, { id: 'night' },
    ], 'api:acme admin');
    expect(decide(waiting(90), await routing.groupsOf('acme'), [], MONDAY)).toMatchObject({ kind: 'queue', groupId: 'sales' });
    expect((await routing.groupsOf('acme')).find((g) => g.id === 'overflow')?.slaSeconds).toBe(60);
  });

  it('gives every group the tenant’s resolution SLA (the inbox’s countdown, the wallboard’s and reports’ breaches), unless the group has its own', async () => {
    await change.execute('acme', 'skillGroups', [{ id: 'sales', languages: ['pt'], resolutionSeconds: 900 }, { id: 'overflow' }, { id: 'night' }], 'api:acme admin');
    expect((await routing.groupsOf('acme')).map((g) => [g.id, g.resolutionSeconds])).toEqual([['sales', 900], ['overflow', undefined], ['night', undefined]]);
    await change.execute('acme', 'sla', { firstResponseSeconds: 60, resolutionSeconds: 7_200 }, 'api:acme admin');
    expect((await routing.groupsOf('acme')).map((g) => [g.id, g.resolutionSeconds])).toEqual([['sales', 900], ['overflow', 7_200], ['night', 7_200]]);
  });
});
