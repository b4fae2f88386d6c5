import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, OmniError } from '@omni/contracts';
import { TENANT_DIRECTORY, TENANT_SETTINGS_STORE, type TenantDirectory, type TenantSettingsStore } from '@omni/persistence';
import type { SettingsSection } from './settings-sections';

/** Concurrent changes (two admins at once) are tried again on the new latest version this often. */
const ATTEMPTS = 3;

/**
 * Changes one section of a tenant's settings: a new version is inserted (the next `tenantId:version`,
 * unique: of two admins changing at once one wins the version, the other is retried on top of it, or
 * refused with 409 when it asked for the version it saw with If-Match) recording who, when, and the
 * section before and after — the audit log. The handoff policy and the NLU fallback also apply to the
 * tenant at once, where the router and the AI worker read them.
 */
@Injectable()
export class ChangeTenantSettingsUseCase {
  constructor(
    @Inject(TENANT_SETTINGS_STORE) private readonly store: TenantSettingsStore,
    @Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory,
  ) {}

  async execute(tenantId: string, section: SettingsSection, value: unknown, by: string, expectedVersion?: number): Promise<{ version: number }> {
    if (!(await this.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId}`);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const latest = await this.store.latest(tenantId);
      const current = latest?.version ?? 0;
      if (expectedVersion !== undefined && expectedVersion !== current) {
        throw new OmniError('conflict', `if-match: the settings are at version ${current}, not ${expectedVersion}`, false);
      }
      const version = current + 1;
      const settings = { ...(latest?.settings ?? {}), [section]: value };
      const stored = await this.store.append({
        _id: `${tenantId}:${version}`, tenantId, version, section, before: latest?.settings[section] ?? null, after: value, settings, by, at: new Date(),
      });
      if (stored) {
        if (section === 'handoffPolicy') await this.tenants.update(tenantId, { handoffPolicy: value as Record<string, unknown> });
        if (section === 'nluFallback') await this.tenants.update(tenantId, { nluFallback: value as 'handoff' | 'message' });
        return { version };
      }
      if (expectedVersion !== undefined) break;
    }
    throw new OmniError('conflict', 'version: the settings changed meanwhile; read them again and retry', false);
  }
}
