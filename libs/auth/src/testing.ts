import type { ApiKeyDoc, ApiKeyRepository, PersonDoc, PersonRepository, SessionDoc, SessionRepository } from '@omni/persistence';
import { hashApiKey } from './api-key-secret';
import { ApiKeys } from './credentials';
import { Sessions } from './sessions';
import type { Caller } from './caller';
import type { Role } from './roles';

/**
 * ApiKeys (and Sessions) over in-memory key, person and session tables that count their key reads
 * (the one test factory of this folder). `operatorKey` null = API_KEY unset.
 */
export function newTestApiKeys(operatorKey: string | null = 'operator-key-0123456789') {
  const table = new Map<string, ApiKeyDoc>();
  const people = new Map<string, PersonDoc>();
  const sessionTable = new Map<string, SessionDoc>();
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
  const personRepo: PersonRepository = {
    insert: async (p) => {
      if ([...people.values()].some((o) => o.tenantId === p.tenantId && o.email === p.email)) return 'taken';
      people.set(p._id, { ...p, createdAt: new Date() });
      return 'created';
    },
    byEmail: async (tenantId, email) => [...people.values()].find((p) => p.tenantId === tenantId && p.email === email) ?? null,
    list: async (tenantId) => [...people.values()].filter((p) => p.tenantId === tenantId),
    remove: async (tenantId, id) => people.get(id)?.tenantId === tenantId && people.delete(id),
  };
  const sessionRepo: SessionRepository = {
    insert: async (s) => { sessionTable.set(s._id, { ...s, createdAt: new Date() }); },
    find: async (hash) => { reads++; return sessionTable.get(hash) ?? null; },
    takeForRefresh: async (refreshHash, now) => {
      const s = [...sessionTable.values()].find((d) => d.refreshHash === refreshHash && d.refreshExpiresAt > now);
      if (!s) return null;
      sessionTable.delete(s._id);
      return s;
    },
    remove: async (hash) => sessionTable.delete(hash),
    removeOfPerson: async (tenantId, personId) => {
      const ids = [...sessionTable.values()].filter((s) => s.tenantId === tenantId && s.personId === personId).map((s) => s._id);
      for (const id of ids) sessionTable.delete(id);
      return ids;
    },
  };
  const keys = new ApiKeys(repo, sessionRepo, { operatorKey: operatorKey ?? undefined, defaultTenantId: 'default' });
  const add = (key: string, fields: Partial<ApiKeyDoc> = {}) =>
    table.set(hashApiKey(key), { _id: hashApiKey(key), tenantId: 't1', name: key, role: 'admin', createdAt: new Date(), ...fields });
  return {
    keys, repo, table, add, reads: () => reads,
    people, sessionTable, sessions: new Sessions(personRepo, sessionRepo, keys), personRepo,
  };
}

/** A caller as a credential would give it. */
export function callerOf(role: Role, fields: Partial<Caller> = {}): Caller {
  return { tenantId: 't1', role, operator: false, keyName: `${role} key`, ...fields };
}
