import type { ChannelAccountDoc, ChannelAccountRepository, TenantConnectorDoc, TenantConnectorRepository, TenantDirectory, TenantProfile } from '@omni/persistence';
import { newTestEnvelopes } from '@omni/secrets';
import type { RouterConfig } from '../config';
import { BootstrapTenant } from './bootstrap-tenant';
import { ConnectChannelAccountUseCase } from './connect-channel-account.use-case';
import { RewrapSecrets } from './rewrap-secrets';
import { RotateChannelCredentialsUseCase } from './rotate-channel-credentials.use-case';
import type { TelegramWebhooks } from './telegram-webhooks';

/** In-memory channel accounts with the unique (channel, externalId) key of the real collection. */
export function newMemoryAccounts(): ChannelAccountRepository & { rows: Map<string, ChannelAccountDoc> } {
  const rows = new Map<string, ChannelAccountDoc>();
  const taken = (a: Pick<ChannelAccountDoc, '_id' | 'channel' | 'externalId'>) =>
    rows.has(a._id) || [...rows.values()].some((r) => r.channel === a.channel && r.externalId === a.externalId);
  return {
    rows,
    insert: async (a) => {
      if (taken(a)) return 'taken';
      rows.set(a._id, { ...a, createdAt: new Date(), updatedAt: new Date() });
      return 'created';
    },
    ensure: async (a) => {
      if (taken(a)) return false;
      rows.set(a._id, { ...a, createdAt: new Date(), updatedAt: new Date() });
      return true;
    },
    list: async (tenantId) => [...rows.values()].filter((r) => r.tenantId === tenantId),
    get: async (tenantId, id) => (rows.get(id)?.tenantId === tenantId ? rows.get(id)! : null),
    byExternalId: async (channel, externalId) => [...rows.values()].find((r) => r.channel === channel && r.externalId === externalId) ?? null,
    setSecrets: async (tenantId, id, secrets, at) => {
      const r = rows.get(id);
      if (r?.tenantId !== tenantId) return false;
      rows.set(id, { ...r, secrets, credentialsUpdatedAt: at });
      return true;
    },
    swapSecrets: async (id, expected, next) => {
      const r = rows.get(id);
      if (r?.secrets?.key.wrapped !== expected.key.wrapped) return false;
      rows.set(id, { ...r, secrets: next });
      return true;
    },
    wrappedByOther: async (kekId, limit) => [...rows.values()].filter((r) => r.secrets && r.secrets.key.kekId !== kekId).slice(0, limit),
    remove: async (tenantId, id) => rows.get(id)?.tenantId === tenantId && rows.delete(id),
  };
}

/** In-memory tenant connectors with the real store's conditional writes. */
export function newMemoryConnectors(): TenantConnectorRepository & { rows: Map<string, TenantConnectorDoc> } {
  const rows = new Map<string, TenantConnectorDoc>();
  return {
    rows,
    get: async (tenantId) => rows.get(tenantId) ?? null,
    replace: async (doc, expected) => {
      const cur = rows.get(doc._id);
      if (expected === null ? cur !== undefined : cur?.secrets.key.wrapped !== expected.key.wrapped) return false;
      rows.set(doc._id, doc);
      return true;
    },
    swapSecrets: async (tenantId, expected, next) => {
      const cur = rows.get(tenantId);
      if (cur?.secrets.key.wrapped !== expected.key.wrapped) return false;
      rows.set(tenantId, { ...cur, secrets: next });
      return true;
    },
    wrappedByOther: async (kekId, limit) => [...rows.values()].filter((r) => r.secrets.key.kekId !== kekId).slice(0, limit),
    remove: async (tenantId) => rows.delete(tenantId),
  };
}

export function newMemoryTenants(ids: string[] = ['t1', 't2']): TenantDirectory {
  const rows = new Map<string, TenantProfile>(ids.map((id) => [id, { _id: id, name: id, createdAt: new Date(), updatedAt: new Date() }]));
  return {
    create: async (t) => !rows.has(t._id) && !!rows.set(t._id, { ...t, createdAt: new Date(), updatedAt: new Date() }),
    ensure: async (t) => { if (!rows.has(t._id)) rows.set(t._id, { ...t, createdAt: new Date(), updatedAt: new Date() }); },
    list: async () => [...rows.values()],
    get: async (id) => rows.get(id) ?? null,
    update: async (id, f) => { const t = rows.get(id); if (!t) return null; rows.set(id, { ...t, ...f }); return rows.get(id)!; },
  };
}

/** Records the setWebhook calls; `fail` makes the next ones throw it. */
export function newRecordedWebhooks(): TelegramWebhooks & { calls: { botToken: string; url: string; secret: string }[]; fail?: Error } {
  const hooks = {
    calls: [] as { botToken: string; url: string; secret: string }[],
    fail: undefined as Error | undefined,
    set: async (botToken: string, url: string, secret: string) => {
      if (hooks.fail) throw hooks.fail;
      hooks.calls.push({ botToken, url, secret });
    },
  };
  return hooks;
}

/** The tenancy use cases over in-memory stores and a real LocalKms (the one test factory of this folder). */
export function newTenancyHarness(kek?: string, previous: string[] = [], env: Partial<RouterConfig> = { TELEGRAM_WEBHOOK_BASE_URL: 'https://gw.example.test' }) {
  const accounts = newMemoryAccounts();
  const connectors = newMemoryConnectors();
  const tenants = newMemoryTenants();
  const { kms, envelopes } = newTestEnvelopes(kek, previous);
  const config = { CHANNEL_WEB_PUBLIC_URL: 'https://chat.example.test', ...env } as RouterConfig;
  const webhooks = newRecordedWebhooks();
  return {
    accounts, connectors, tenants, kms, envelopes, webhooks,
    connect: new ConnectChannelAccountUseCase(tenants, accounts, envelopes, config, webhooks),
    rotate: new RotateChannelCredentialsUseCase(accounts, envelopes),
    rewrap: new RewrapSecrets(accounts, connectors, envelopes, kms),
    /** The bootstrap with these env values (TENANT_ID default, REGION local). */
    bootstrap: (env: Partial<RouterConfig>) => new BootstrapTenant(tenants, accounts, envelopes, { TENANT_ID: 'default', REGION: 'local', ...env } as RouterConfig),
  };
}
