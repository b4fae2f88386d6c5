import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { OmniError } from '@omni/contracts';
import { API_KEY_REPOSITORY, ApiKeyRepository, SESSION_REPOSITORY, SessionRepository } from '@omni/persistence';
import { hashApiKey, sameHash } from './api-key-secret';
import type { Caller } from './caller';

/** The operator key and the tenant it administers by default (each app's validated config). */
export interface AuthOptions {
  /** `API_KEY`: the platform operator's key; unset = no operator (tenants are managed elsewhere). */
  readonly operatorKey: string | undefined;
  /** `TENANT_ID`: the bootstrap tenant, where the operator acts on routes scoped to the caller's tenant. */
  readonly defaultTenantId: string;
}
export const AUTH_OPTIONS = Symbol('AuthOptions');

const CACHE_MS = 30_000;
const CACHE_KEYS = 10_000;

/** A resolved credential as cached: who, and until when. */
interface Known {
  readonly caller: Caller;
  readonly expiresAt?: Date;
  readonly kind: 'key' | 'session';
}

/**
 * `Authorization: Bearer <key>` → who called (router REST/gRPC/SSE, ai-worker). The operator key is
 * compared with its hash in constant time and never stored; tenant keys are looked up by hash in
 * `api_keys`. Known keys are cached for CACHE_MS from the read (a key revoked on another replica
 * stops working within it; on this one at once), at most CACHE_KEYS of them; unknown keys are never
 * cached, so made-up keys cannot fill the cache. An expired key is refused whatever the cache holds.
 * A person's access token (`oms_…`, ADR 0610) is looked up the same way in `sessions`.
 */
@Injectable()
export class ApiKeys {
  // Wall-clock ages (Date.now): fine for 30 s, and what a test's fake clock moves.
  private readonly cache = new LRUCache<string, Known>({ max: CACHE_KEYS, ttl: CACHE_MS, updateAgeOnGet: false, perf: Date });
  private readonly operatorHash: string | undefined;

  constructor(
    @Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {
    this.operatorHash = options.operatorKey ? hashApiKey(options.operatorKey) : undefined;
  }

  async resolve(authorization: string | undefined): Promise<Caller> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m?.[1]) throw new OmniError('unauthorized', 'missing Authorization: Bearer <key>', false);
    const hash = hashApiKey(m[1]);
    if (this.operatorHash && sameHash(hash, this.operatorHash)) {
      return { tenantId: this.options.defaultTenantId, role: 'admin', operator: true, keyName: 'operator (API_KEY)' };
    }
    const isSession = m[1].startsWith('oms_');
    const known = this.cache.get(hash) ?? (isSession ? await this.session(hash) : await this.key(hash));
    if (!known) throw new OmniError('unauthorized', isSession ? 'unknown session: sign in again' : 'unknown API key', false);
    if (!this.cache.has(hash)) this.cache.set(hash, known);
    if (known.expiresAt && known.expiresAt.getTime() <= Date.now()) {
      throw new OmniError('unauthorized', known.kind === 'session' ? 'session expired: refresh or sign in again' : 'expired API key', false);
    }
    return known.caller;
  }

  private async key(hash: string): Promise<Known | null> {
    const key = await this.keys.find(hash);
    if (!key) return null;
    return {
      kind: 'key',
      ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
      caller: {
        tenantId: key.tenantId, role: key.role, operator: false, keyName: key.name,
        ...(key.keyId ? { keyId: key.keyId } : {}), ...(key.agentId ? { agentId: key.agentId } : {}),
      },
    };
  }

  private async session(hash: string): Promise<Known | null> {
    const s = await this.sessions.find(hash);
    if (!s) return null;
    return {
      kind: 'session',
      expiresAt: s.expiresAt,
      caller: {
        tenantId: s.tenantId, role: s.role, operator: false, keyName: `person ${s.personId} (${s.name})`, personId: s.personId, personName: s.name,
        ...(s.agentId ? { agentId: s.agentId } : {}),
      },
    };
  }

  /** A revoked key stops at once on this replica (the others within CACHE_MS). */
  forget(hash: string): void {
    this.cache.delete(hash);
  }
}
