import type { ApiKeyDoc, ApiKeyRepository } from '@omni/persistence';
import { hashApiKey } from './api-key-secret';
import { ApiKeys } from './credentials';
import type { Caller } from './caller';
import type { Role } from './roles';

/** ApiKeys over an in-memory key table that counts its reads (the one test factory of this folder). */
/** `operatorKey` null = API_KEY unset. */
export function newTestApiKeys(operatorKey: string | null = 'operator-key-0123456789') {
  const table = new Map<string, ApiKeyDoc>();
  let reads = 0;
  const repo: ApiKeyRepository = {
    find: async (hash) => { reads++; return table.get(hash) ?? null; },
    save: async (k) => { if (!table.has(k._id)) table.set(k._id, { ...k, createdAt: new Date() }); },
    list: async (tenantId) => [...table.values()].filter((k) => k.tenantId === tenantId),
    revoke: async (tenantId, keyId) => {
      const k = [...table.values()].find((d) => d.tenantId === tenantId && d.keyId === keyId);
      if (!k) return null;
      table.delete(k._id);
      return k._id;
    },
  };
  const add = (key: string, fields: Partial<ApiKeyDoc> = {}) =>
    table.set(hashApiKey(key), { _id: hashApiKey(key), tenantId: 't1', name: key, role: 'admin', createdAt: new Date(), ...fields });
  return { keys: new ApiKeys(repo, { operatorKey: operatorKey ?? undefined, defaultTenantId: 'default' }), repo, table, add, reads: () => reads };
}

/** A caller as a credential would give it. */
export function callerOf(role: Role, fields: Partial<Caller> = {}): Caller {
  return { tenantId: 't1', role, operator: false, keyName: `${role} key`, ...fields };
}
