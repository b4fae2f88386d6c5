import { LatestTenantSettings, type SkillGroupRepository, type TenantDirectory, type TenantSettingsStore, type TenantSettingsVersionDoc } from '@omni/persistence';
import { ChangeTenantSettingsUseCase } from './change-tenant-settings.use-case';
import { TenantSettingsController } from './tenant-settings.controller';

/** In-memory settings versions with the real collection's unique `tenantId:version`; `beforeAppend` lets a spec race a change in. */
export function newMemorySettings(): TenantSettingsStore & { rows: TenantSettingsVersionDoc[]; beforeAppend?: () => Promise<void> } {
  const rows: TenantSettingsVersionDoc[] = [];
  const newestFirst = (tenantId: string) => rows.filter((r) => r.tenantId === tenantId).sort((a, b) => b.version - a.version);
  const store = {
    rows,
    beforeAppend: undefined as (() => Promise<void>) | undefined,
    latest: async (tenantId: string) => newestFirst(tenantId)[0] ?? null,
    append: async (v: TenantSettingsVersionDoc) => {
      const hook = store.beforeAppend;
      store.beforeAppend = undefined;
      await hook?.();
      if (rows.some((r) => r._id === v._id)) return false;
      rows.push(structuredClone(v));
      return true;
    },
    history: async (tenantId: string, limit: number) => newestFirst(tenantId).slice(0, limit),
  };
  return store;
}

/** The settings use case and controller over in-memory stores (the one test factory of this folder). */
export function newSettingsHarness(tenants = ['acme', 'globex']) {
  const store = newMemorySettings();
  const applied: { tenantId: string; fields: Record<string, unknown> }[] = [];
  const directory = {
    get: async (id: string) => (tenants.includes(id) ? { _id: id, createdAt: new Date(), updatedAt: new Date() } : null),
    update: async (id: string, fields: Record<string, unknown>) => {
      applied.push({ tenantId: id, fields });
      return { _id: id, createdAt: new Date(), updatedAt: new Date() };
    },
  } as unknown as TenantDirectory;
  const groups: { tenantId: string; list: ({ id: string } & Record<string, unknown>)[] }[] = [];
  const groupRepo: SkillGroupRepository = {
    replace: async (tenantId, list) => { groups.push({ tenantId, list: [...list] }); },
    list: async (tenantId) => (groups.filter((g) => g.tenantId === tenantId).at(-1)?.list ?? []).map((g, order) => ({
      _id: `${tenantId}:${g.id}`, tenantId, groupId: g.id, order, config: g, updatedAt: new Date(),
    })),
  };
  const change = new ChangeTenantSettingsUseCase(store, directory, groupRepo, new LatestTenantSettings(store));
  return { store, applied, groups, change, controller: new TenantSettingsController(store, change) };
}
