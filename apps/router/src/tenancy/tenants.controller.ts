import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, OmniError, ValidationError } from '@omni/contracts';
import { AuthGuard, Requires } from '@omni/auth';
import { NLU_FALLBACKS, TENANT_DIRECTORY, TenantDirectory, TenantProfile } from '@omni/persistence';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';
import { initialAssignment, pairFor } from '@omni/routing';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { RegionDirectory } from '../regions/region-directory';

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
const RegionName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a region name, e.g. local-b or eu-central-1');
/**
 * `standbyRegion`: the region that takes the tenant over (ADR 0300); without it, a router with one
 * peer pairs the tenant with it, and one with none or several leaves it unpaired.
 */
const CreateTenantBody = z.object({ id: TenantId.optional(), ...Profile, standbyRegion: RegionName.optional(), nluFallback: NluFallbackField.optional() }).strict();
/** Crypto-shredding of the tenant's inbound message events on Kafka (ADR 0501); off by default. */
const KafkaShreddingField = z.boolean();
const UpdateTenantBody = z.object({ ...Profile, nluFallback: NluFallbackField, kafkaShredding: KafkaShreddingField }).partial().strict().refine((b) => Object.keys(b).length > 0, { message: 'nothing to change', path: ['name'] });

/** The platform operator's tenants (API_KEY only): create, list, read, update the profile. */
@ApiTags('tenants')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/tenants')
export class TenantsController {
  constructor(
    @Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory,
    private readonly regions: RegionDirectory,
    @Inject(ROUTER_CONFIG) private readonly config: Pick<RouterConfig, 'REGION' | 'REGION_PEERS'>,
  ) {}

  @Post()
  @HttpCode(201)
  @Requires('tenants.manage')
  @ApiOperation({ summary: 'Create a tenant (operator key only); 409 when the id is taken. With a standby region (named, or this router’s only peer) the tenant is paired: failover applies, and the standby pulls its configuration' })
  @ApiBody({ schema: openApi(CreateTenantBody) })
  async create(@Body() body: unknown): Promise<{ id: string }> {
    const { id = `t-${randomUUID()}`, standbyRegion, ...profile } = parse(CreateTenantBody, body, 'body');
    const choice = pairFor(profile.homeRegion, standbyRegion, this.config.REGION, this.config.REGION_PEERS.map((p) => p.name));
    if (!choice.ok) throw new ValidationError('invalid body', [{ path: choice.field, message: choice.message }]);
    // The home region holds the source copy of a paired tenant's configuration (its standby pulls it).
    if (choice.pair && choice.pair.home !== this.config.REGION) {
      throw new ValidationError('invalid body', [{ path: 'homeRegion', message: `homeRegion: a paired tenant is created through its home region's router (${choice.pair.home}), not ${this.config.REGION}'s` }]);
    }
    if (!(await this.tenants.create({ _id: id, ...profile }))) throw new OmniError('conflict', `id: tenant ${id} exists already`, false);
    // The pair's first epoch, the same in both regions whichever created it; the peer learns it at its next poll.
    if (choice.pair) await this.regions.apply(initialAssignment(id, choice.pair.home, choice.pair.standby, new Date()));
    // ★ 201 `{id}` exactly (docs/architecture.md): the pair is read from GET /v1/regions/directory.
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
  @ApiOperation({ summary: 'Change a tenant’s name, home region, languages, time zone, NLU fallback (handoff | message) or Kafka crypto-shredding (kafkaShredding: true seals its inbound message events with a key per conversation, destroyed on erasure)' })
  @ApiBody({ schema: openApi(UpdateTenantBody) })
  async update(@Param('tenantId') tenantId: string, @Body() body: unknown): Promise<TenantProfile> {
    const fields = parse(UpdateTenantBody, body, 'body');
    // A paired tenant's events are mirrored to its standby region, whose store has none of these keys:
    // it would read every sealed message as erased.
    if (fields.kafkaShredding && this.regions.get(tenantId)) {
      throw new ValidationError('invalid body', [{ path: 'kafkaShredding', message: 'not for a tenant paired across regions (the standby region holds no conversation keys)' }]);
    }
    const before = fields.kafkaShredding ? await this.tenants.get(tenantId) : null;
    // Since when events are sealed: the erasure receipt says what is older than that is still in clear.
    const since = fields.kafkaShredding && !before?.kafkaShredding ? { kafkaShreddingSince: new Date() } : {};
    const t = await this.tenants.update(tenantId, { ...fields, ...since });
    if (!t) throw new NotFoundError(`tenant ${tenantId}`);
    return t;
  }
}
