import { OmniError, ValidationError } from '@omni/contracts';
import type { Caller } from '@omni/auth';
import { newSettingsHarness } from './testing';

const admin: Caller = { tenantId: 'acme', role: 'admin', operator: false, keyId: 'k1', keyName: 'acme admin' };
const issues = async (p: Promise<unknown>) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  return (err as ValidationError & { issues: { path: string }[] }).issues.map((i) => i.path);
};

describe('tenant settings (issue 12 #6)', () => {
  it('versions every change of a section and keeps who, what, when, before and after in the audit log', async () => {
    const h = newSettingsHarness();
    expect(await h.controller.get('acme')).toEqual({ tenantId: 'acme', version: 0, settings: {} });
    expect(await h.controller.put(admin, 'acme', 'sla', { firstResponseSeconds: 60 })).toEqual({ version: 1 });
    expect(await h.controller.put(admin, 'acme', 'sla', { firstResponseSeconds: 30, resolutionSeconds: 3_600 })).toEqual({ version: 2 });
    expect(await h.controller.put(admin, 'acme', 'widgetTexts', { en: { title: 'Acme help' }, 'pt-BR': { title: 'Ajuda Acme' } })).toEqual({ version: 3 });
    const now = await h.controller.get('acme');
    expect(now).toMatchObject({ version: 3, updatedBy: 'api:acme admin', settings: { sla: { firstResponseSeconds: 30, resolutionSeconds: 3_600 }, widgetTexts: { en: { title: 'Acme help' } } } });
    const { entries } = await h.controller.audit('acme', {});
    expect(entries.map((e) => [e.version, e.section, e.by, e.before, e.after])).toEqual([
      [3, 'widgetTexts', 'api:acme admin', null, { en: { title: 'Acme help' }, 'pt-BR': { title: 'Ajuda Acme' } }],
      [2, 'sla', 'api:acme admin', { firstResponseSeconds: 60 }, { firstResponseSeconds: 30, resolutionSeconds: 3_600 }],
      [1, 'sla', 'api:acme admin', null, { firstResponseSeconds: 60 }],
    ]);
    expect(entries.every((e) => Math.abs(Date.now() - new Date(e.at).getTime()) < 60_000)).toBe(true);
    // Another tenant's settings are its own.
    expect(await h.controller.get('globex')).toEqual({ tenantId: 'globex', version: 0, settings: {} });
  });

  it('refuses bad input with the field named under its section, an unknown section, and nothing is written', async () => {
    const h = newSettingsHarness();
    expect(await issues(h.controller.put(admin, 'acme', 'sla', { firstResponseSeconds: 0 }))).toEqual(['sla.firstResponseSeconds']);
    expect(await issues(h.controller.put(admin, 'acme', 'hours', { timeZone: 'Mars/Olympus', weekly: { mon: [{ from: '18:00', to: '09:00' }] } }))).toEqual(['hours.timeZone', 'hours.weekly.mon.0.to']);
    expect(await issues(h.controller.put(admin, 'acme', 'whatsappTemplates', [{ name: 'Order Update', language: 'en_US', bodyParams: 1 }]))).toEqual(['whatsappTemplates.0.name']);
    expect(await issues(h.controller.put(admin, 'acme', 'whatsappTemplates', [
      { name: 'order_update', language: 'en_US', bodyParams: 1 }, { name: 'order_update', language: 'en_US', bodyParams: 2 },
    ]))).toEqual(['whatsappTemplates']);
    expect(await issues(h.controller.put(admin, 'acme', 'skillGroups', [{ id: 'billing', name: 'Billing', extra: true }]))).toEqual(['skillGroups.0']);
    expect(await issues(h.controller.put(admin, 'acme', 'skillGroups', [{ id: 'billing', fallbackGroupId: 'nobody' }, { id: 'sales', slaSeconds: -1 }]))).toEqual(['skillGroups.1.slaSeconds']);
    expect(await issues(h.controller.put(admin, 'acme', 'skillGroups', [{ id: 'billing', fallbackGroupId: 'nobody' }]))).toEqual(['skillGroups.0.fallbackGroupId']);
    expect(await issues(h.controller.put(admin, 'acme', 'whatsappTemplates', [
      { name: 'a_follow_up', language: 'en', bodyParams: 1, reengage: true }, { name: 'b_follow_up', language: 'pt', bodyParams: 1, reengage: true },
    ]))).toEqual(['whatsappTemplates']);
    expect(await issues(h.controller.put(admin, 'acme', 'hours', { timeZone: 'UTC', weekly: { mon: [{ from: '09:00', to: '24:00' }] }, afterHoursGroupId: 'night' }))).toEqual(['hours.afterHoursGroupId']);
    expect(await issues(h.controller.put(admin, 'acme', 'colours', { a: 1 }))).toEqual(['section']);
    expect(await issues(h.controller.put(admin, 'acme', 'nluFallback', 'demo'))).toEqual(['nluFallback']);
    expect(h.store.rows).toHaveLength(0);
  });

  it('writes the skill groups where routing reads them, as given (no defaults filled in)', async () => {
    const h = newSettingsHarness();
    await h.controller.put(admin, 'acme', 'skillGroups', [{ id: 'sales', languages: ['pt'] }, { id: 'night' }]);
    expect(h.groups).toEqual([{ tenantId: 'acme', list: [{ id: 'sales', languages: ['pt'] }, { id: 'night' }] }]);
    expect(await h.controller.put(admin, 'acme', 'hours', { timeZone: 'UTC', weekly: { mon: [{ from: '09:00', to: '24:00' }] }, afterHoursGroupId: 'night' })).toEqual({ version: 2 });
    // The after-hours group cannot be dropped while the hours name it.
    expect(await issues(h.controller.put(admin, 'acme', 'skillGroups', [{ id: 'sales' }]))).toEqual(['skillGroups']);
    expect(h.groups).toHaveLength(1);
  });

  it('applies the handoff policy and the NLU fallback to the tenant, where the router and the AI worker read them', async () => {
    const h = newSettingsHarness();
    await h.controller.put(admin, 'acme', 'handoffPolicy', { humanRequest: { intents: ['talk_to_human', 'complaint'] } });
    await h.controller.put(admin, 'acme', 'nluFallback', 'message');
    await h.controller.put(admin, 'acme', 'sla', { firstResponseSeconds: 60 });
    expect(h.applied.map((a) => [a.tenantId, Object.keys(a.fields)])).toEqual([['acme', ['handoffPolicy']], ['acme', ['nluFallback']]]);
    expect(h.applied[0].fields.handoffPolicy).toMatchObject({ humanRequest: { intents: ['talk_to_human', 'complaint'], minConfidence: 0.5 } });
  });

  it('answers 409 to a change based on an older version (If-Match), and retries a concurrent change without one on top of the other', async () => {
    const h = newSettingsHarness();
    await h.controller.put(admin, 'acme', 'sla', { firstResponseSeconds: 60 });
    const stale = await h.controller.put(admin, 'acme', 'sla', { firstResponseSeconds: 10 }, '"0"').then(() => undefined, (e: unknown) => e);
    expect(stale).toBeInstanceOf(OmniError);
    expect((stale as OmniError).code).toBe('conflict');
    expect(await h.controller.put(admin, 'acme', 'sla', { firstResponseSeconds: 20 }, '1')).toEqual({ version: 2 });
    // Another admin stores version 3 between this change's read and its write: this one becomes version 4, nothing is lost.
    h.store.beforeAppend = async () => { await h.change.execute('acme', 'widgetTexts', { en: { title: 'x' } }, 'api:other admin'); };
    expect(await h.controller.put(admin, 'acme', 'hours', { timeZone: 'Europe/Lisbon', weekly: { mon: [{ from: '09:00', to: '18:00' }] } })).toEqual({ version: 4 });
    const latest = await h.controller.get('acme');
    expect(Object.keys(latest.settings).sort()).toEqual(['hours', 'sla', 'widgetTexts']);
    // With If-Match the same race is a 409 (the caller saw version 4, someone wrote 5 meanwhile).
    h.store.beforeAppend = async () => { await h.change.execute('acme', 'sla', { firstResponseSeconds: 5 }, 'api:other admin'); };
    expect((await h.controller.put(admin, 'acme', 'sla', { firstResponseSeconds: 15 }, '4').catch((e: OmniError) => e) as OmniError).code).toBe('conflict');
    await expect(h.change.execute('nobody', 'sla', { firstResponseSeconds: 60 }, 'x')).rejects.toThrow('tenant nobody');
  });
});
