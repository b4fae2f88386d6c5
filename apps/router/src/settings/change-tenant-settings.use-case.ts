import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, OmniError, ValidationError } from '@omni/contracts';
import {
  LATEST_TENANT_SETTINGS, type LatestTenantSettings, SKILL_GROUP_REPOSITORY, type SkillGroupRepository, TENANT_DIRECTORY, TENANT_SETTINGS_STORE,
  type TenantDirectory, type TenantSettingsStore,
} from '@omni/persistence';
import type { Caller } from '@omni/auth';
import type { SettingsSection } from './settings-sections';

/** Concurrent changes (two admins at once) are tried again on the new latest version this often. */
const ATTEMPTS = 3;

/** Who a change is recorded as in the audit log. */
export const actorOf = (caller: Caller): string => (caller.operator ? 'operator' : `api:${caller.keyName}`);

/**
 * Changes one section of a tenant's settings: a new version is inserted (the next `tenantId:version`,
 * unique: of two admins changing at once one wins the version, the other is retried on top of it, or
 * refused with 409 when it asked for the version it saw with If-Match) recording who, when, and the
 * section before and after — the audit log. Then the section is applied where its readers are
 * (ADR 0602): the handoff policy and the NLU fallback on the tenant, the skill groups in the routing's
 * groups; hours, SLA, templates and widget texts are read from the latest version itself.
 */
@Injectable()
export class ChangeTenantSettingsUseCase {
  constructor(
    @Inject(TENANT_SETTINGS_STORE) private readonly store: TenantSettingsStore,
    @Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory,
    @Inject(SKILL_GROUP_REPOSITORY) private readonly groups: SkillGroupRepository,
    @Inject(LATEST_TENANT_SETTINGS) private readonly latestSettings: LatestTenantSettings,
  ) {}

  async execute(tenantId: string, section: SettingsSection, value: unknown, by: string, expectedVersion?: number): Promise<{ version: number }> {
    if (!(await this.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId}`);
    await this.checkReferences(tenantId, section, value);
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
        await this.apply(tenantId, section, value);
        return { version };
      }
      if (expectedVersion !== undefined) break;
    }
    throw new OmniError('conflict', 'version: the settings changed meanwhile; read them again and retry', false);
  }

  /**
   * The after-hours group must be one of the tenant's groups, and stays one: an hours change naming
   * another group, or a groups change dropping it, is a 400 naming the field, before anything is written.
   */
  private async checkReferences(tenantId: string, section: SettingsSection, value: unknown): Promise<void> {
    if (section === 'hours') {
      const afterHours = (value as { afterHoursGroupId?: string }).afterHoursGroupId;
      if (afterHours === undefined) return;
      const ids = (await this.groups.list(tenantId)).map((g) => g.groupId);
      if (!(ids.length ? ids : ['default']).includes(afterHours)) {
        throw new ValidationError('invalid hours', [{ path: 'hours.afterHoursGroupId', message: `${afterHours} is not one of the tenant's skill groups (${ids.join(', ') || 'default'})` }]);
      }
    }
    if (section === 'skillGroups') {
      const afterHours = ((await this.store.latest(tenantId))?.settings.hours as { afterHoursGroupId?: string } | undefined)?.afterHoursGroupId;
      if (afterHours !== undefined && !(value as { id: string }[]).some((g) => g.id === afterHours)) {
        throw new ValidationError('invalid skill groups', [{ path: 'skillGroups', message: `${afterHours} is the after-hours group of the tenant's hours: change the hours first` }]);
      }
    }
  }

  private async apply(tenantId: string, section: SettingsSection, value: unknown): Promise<void> {
    if (section === 'handoffPolicy') await this.tenants.update(tenantId, { handoffPolicy: value as Record<string, unknown> });
    if (section === 'nluFallback') await this.tenants.update(tenantId, { nluFallback: value as 'handoff' | 'message' });
    if (section === 'skillGroups') await this.groups.replace(tenantId, value as ({ id: string } & Record<string, unknown>)[]);
    this.latestSettings.forget(tenantId);
  }
}
