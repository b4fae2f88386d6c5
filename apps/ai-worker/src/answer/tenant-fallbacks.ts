import { Inject, Injectable } from '@nestjs/common';
import { type NluFallback, TENANT_DIRECTORY, type TenantDirectory } from '@omni/persistence';

const CACHE_MS = 30_000;

/**
 * Each tenant's NLU fallback (the tenant's `nluFallback`, set through the router's tenant API):
 * what the bot does while the tenant has no NLU data of its own. Read once per 30 s per replica;
 * a tenant that set none, or whose profile cannot be read, hands to a person.
 */
@Injectable()
export class TenantFallbacks {
  private readonly cache = new Map<string, { mode: NluFallback; at: number }>();

  constructor(@Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory) {}

  async of(tenantId: string, now = Date.now()): Promise<NluFallback> {
    const hit = this.cache.get(tenantId);
    if (hit && now - hit.at < CACHE_MS) return hit.mode;
    const mode = (await this.tenants.get(tenantId))?.nluFallback ?? 'handoff';
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tenantId, { mode, at: now });
    return mode;
  }
}
