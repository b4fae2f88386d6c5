import { Body, Controller, Get, Headers, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidationError } from '@omni/contracts';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { TENANT_SETTINGS_STORE, type TenantSettingsStore } from '@omni/persistence';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';
import { ChangeTenantSettingsUseCase, actorOf } from './change-tenant-settings.use-case';
import { SECTION_NAMES, SETTINGS_SECTIONS, isSection } from './settings-sections';

const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();
const IfMatch = z.string().regex(/^"?\d{1,9}"?$/, 'the version number read from GET …/settings').transform((s) => Number(s.replaceAll('"', '')));

export interface SettingsView {
  tenantId: string;
  version: number;
  settings: Record<string, unknown>;
  updatedAt?: Date;
  updatedBy?: string;
}

export interface AuditEntry {
  version: number;
  section: string;
  by: string;
  at: Date;
  before: unknown;
  after: unknown;
}

/** A tenant's settings (issue 12 #6): read, change one section at a time (validated, versioned), and the audit log. */
@ApiTags('tenants')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/tenants/:tenantId/settings')
export class TenantSettingsController {
  constructor(
    @Inject(TENANT_SETTINGS_STORE) private readonly store: TenantSettingsStore,
    private readonly change: ChangeTenantSettingsUseCase,
  ) {}

  @Get()
  @Requires('settings.manage')
  @ApiOperation({ summary: 'The tenant’s settings at their latest version (version 0: never changed)' })
  async get(@Param('tenantId') tenantId: string): Promise<SettingsView> {
    const latest = await this.store.latest(tenantId);
    if (!latest) return { tenantId, version: 0, settings: {} };
    return { tenantId, version: latest.version, settings: latest.settings, updatedAt: latest.at, updatedBy: latest.by };
  }

  @Get('audit')
  @Requires('settings.manage')
  @ApiOperation({ summary: 'Every change of the settings, newest first: who, what, when, before and after' })
  async audit(@Param('tenantId') tenantId: string, @Query() query: unknown): Promise<{ entries: AuditEntry[] }> {
    const { limit } = parse(AuditQuery, query, 'query');
    const versions = await this.store.history(tenantId, limit);
    return { entries: versions.map((v) => ({ version: v.version, section: v.section, by: v.by, at: v.at, before: v.before, after: v.after })) };
  }

  @Put(':section')
  @Requires('settings.manage')
  @ApiOperation({ summary: `Replace one section (${SECTION_NAMES.join(', ')}); a new version, written to the audit log. If-Match: the version read, else 409` })
  @ApiParam({ name: 'section', enum: SECTION_NAMES })
  @ApiHeader({ name: 'if-match', required: false, description: 'the version the change is based on (409 when the settings moved on)' })
  @ApiBody({ schema: { oneOf: SECTION_NAMES.map((n) => openApi(SETTINGS_SECTIONS[n])) } })
  async put(
    @CallerOf() caller: Caller,
    @Param('tenantId') tenantId: string,
    @Param('section') section: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch?: string,
  ): Promise<{ version: number }> {
    if (!isSection(section)) throw new ValidationError('invalid section', [{ path: 'section', message: `one of ${SECTION_NAMES.join(', ')}` }]);
    const r = SETTINGS_SECTIONS[section].safeParse(body);
    if (!r.success) throw new ValidationError(`invalid ${section}`, r.error.issues.map((i) => ({ path: [section, ...i.path].join('.'), message: i.message })));
    const expected = ifMatch === undefined ? undefined : parse(IfMatch, ifMatch, 'if-match header');
    return this.change.execute(tenantId, section, r.data, actorOf(caller), expected);
  }
}
