import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, OmniError } from '@omni/contracts';
import { AuthGuard, Requires } from '@omni/auth';
import { NLU_FALLBACKS, TENANT_DIRECTORY, TenantDirectory, TenantProfile } from '@omni/persistence';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';

export const TenantId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and -, 2-63 characters');
const TimeZone = z.string().refine((tz) => {
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}, 'an IANA time zone, e.g. Europe/Lisbon');
const Profile = {
  name: z.string().trim().min(1).max(128),
  homeRegion: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a region name, e.g. local-a or eu-west'),
  languages: z.array(z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 tag, e.g. pt-BR')).min(1).max(30),
  timeZone: TimeZone,
};
/** What the bot does while the tenant has no NLU data of its own (issue 12 #7); default handoff. */
const NluFallbackField = z.enum(NLU_FALLBACKS);
const CreateTenantBody = z.object({ id: TenantId.optional(), ...Profile, nluFallback: NluFallbackField.optional() }).strict();
const UpdateTenantBody = z.object({ ...Profile, nluFallback: NluFallbackField }).partial().strict().refine((b) => Object.keys(b).length > 0, { message: 'nothing to change', path: ['name'] });

/** The platform operator's tenants (API_KEY only): create, list, read, update the profile. */
@ApiTags('tenants')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/tenants')
export class TenantsController {
  constructor(@Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory) {}

  @Post()
  @HttpCode(201)
  @Requires('tenants.manage')
  @ApiOperation({ summary: 'Create a tenant (operator key only); 409 when the id is taken' })
  @ApiBody({ schema: openApi(CreateTenantBody) })
  async create(@Body() body: unknown): Promise<{ id: string }> {
    const { id = `t-${randomUUID()}`, ...profile } = parse(CreateTenantBody, body, 'body');
    if (!(await this.tenants.create({ _id: id, ...profile }))) throw new OmniError('conflict', `id: tenant ${id} exists already`, false);
    return { id };
  }

  @Get()
  @Requires('tenants.manage')
  @ApiOperation({ summary: 'All tenants (first 1,000 by id)' })
  list(): Promise<TenantProfile[]> {
    return this.tenants.list(1_000);
  }

  @Get(':tenantId')
  @Requires('tenants.manage')
  @ApiOperation({ summary: 'One tenant’s profile' })
  async get(@Param('tenantId') tenantId: string): Promise<TenantProfile> {
    const t = await this.tenants.get(tenantId);
    if (!t) throw new NotFoundError(`tenant ${tenantId}`);
    return t;
  }

  @Patch(':tenantId')
  @Requires('tenants.manage')
  @ApiOperation({ summary: 'Change a tenant’s name, home region, languages, time zone or NLU fallback (handoff | message)' })
  @ApiBody({ schema: openApi(UpdateTenantBody) })
  async update(@Param('tenantId') tenantId: string, @Body() body: unknown): Promise<TenantProfile> {
    const t = await this.tenants.update(tenantId, parse(UpdateTenantBody, body, 'body'));
    if (!t) throw new NotFoundError(`tenant ${tenantId}`);
    return t;
  }
}
