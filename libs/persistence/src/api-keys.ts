import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { OmniError } from '@omni/contracts';
import { API_KEY_REPOSITORY, ApiKeyRepository } from './routing.ports';
import type { ApiKeyDoc } from './routing.schemas';

/** The stored id of an API key: its SHA-256 (the key itself is never stored or logged). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface ApiKeyCaller {
  readonly tenantId: string;
  readonly role: ApiKeyDoc['role'];
  readonly keyName: string;
}

const CACHE_MS = 30_000;
const CACHE_KEYS = 10_000;

/**
 * `Authorization: Bearer <key>` → the key's tenant and role, for every app that serves the API keys of
 * `api_keys` (router REST/gRPC/SSE, ai-worker tenant data). Known keys are cached for CACHE_MS from
 * the read (a revoked key stops working within it, however often it is used), at most CACHE_KEYS of
 * them; unknown keys are never cached, so made-up keys cannot fill the cache.
 */
@Injectable()
export class ApiKeys {
  // Wall-clock ages (Date.now): fine for 30 s, and what a test's fake clock moves.
  private readonly cache = new LRUCache<string, ApiKeyDoc>({ max: CACHE_KEYS, ttl: CACHE_MS, updateAgeOnGet: false, perf: Date });

  constructor(@Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository) {}

  async resolve(authorization: string | undefined): Promise<ApiKeyCaller> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m?.[1]) throw new OmniError('unauthorized', 'missing Authorization: Bearer <key>', false);
    const hash = hashApiKey(m[1]);
    const key = this.cache.get(hash) ?? (await this.keys.find(hash));
    if (!key) throw new OmniError('unauthorized', 'unknown API key', false);
    if (!this.cache.has(hash)) this.cache.set(hash, key);
    return { tenantId: key.tenantId, role: key.role, keyName: key.name };
  }

  /** Stores `API_KEY` (hashed) as an admin key of the default tenant; idempotent, so every replica may. */
  async bootstrap(key: string | undefined, tenantId: string): Promise<void> {
    if (!key) return;
    await this.keys.save({ _id: hashApiKey(key), tenantId, name: 'bootstrap (API_KEY)', role: 'admin' });
  }
}
