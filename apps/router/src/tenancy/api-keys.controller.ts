import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '@omni/contracts';
import { ApiKeys, AuthGuard, Caller, CallerOf, ROLES, Requires, issueApiKey } from '@omni/auth';
import { API_KEY_REPOSITORY, ApiKeyRepository, TENANT_DIRECTORY, TenantDirectory } from '@omni/persistence';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';

const CreateKeyBody = z.object({
  role: z.enum(ROLES),
  /** The agent this key acts as (required for role agent: an agent's key replies as that agent). */
  agentId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)').optional(),
  expiresAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).refine((d) => d.getTime() > Date.now(), 'must be in the future').optional(),
  name: z.string().trim().min(1).max(128).optional(),
}).strict();

export interface ApiKeyView {
  id: string;
  name: string;
  role: string;
  agentId?: string;
  expiresAt?: Date;
  createdAt: Date;
}

/** A tenant's API keys (its admin, or the operator): issued once, listed without the key, revoked. */
@ApiTags('tenants')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/tenants/:tenantId/api-keys')
export class ApiKeysController {
  constructor(
    @Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory,
    private readonly resolver: ApiKeys,
  ) {}

  @Post()
  @HttpCode(201)
  @Requires('api-keys.manage')
  @ApiOperation({ summary: 'Issue an API key; the answer is the only time the key is shown (stored as its SHA-256)' })
  @ApiBody({ schema: openApi(CreateKeyBody) })
  async create(@CallerOf() caller: Caller, @Param('tenantId') tenantId: string, @Body() body: unknown): Promise<{ id: string; key: string }> {
    const input = parse(CreateKeyBody, body, 'body');
    if (input.role === 'agent' && !input.agentId) throw new ValidationError('invalid body', [{ path: 'agentId', message: 'required for role agent' }]);
    if (!(await this.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId}`);
    const issued = issueApiKey();
    await this.keys.save({
      _id: issued.hash, keyId: issued.id, tenantId, role: input.role, name: input.name ?? `${input.role} key by ${caller.keyName}`,
      ...(input.agentId ? { agentId: input.agentId } : {}), ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
    });
    return { id: issued.id, key: issued.key };
  }

  @Get()
  @Requires('api-keys.manage')
  @ApiOperation({ summary: 'The tenant’s keys (never the keys themselves)' })
  async list(@Param('tenantId') tenantId: string): Promise<ApiKeyView[]> {
    return (await this.keys.list(tenantId)).map((k) => ({
      // Keys stored before key ids existed are named by a prefix of their hash (revocable by it).
      id: k.keyId ?? `h-${k._id.slice(0, 16)}`, name: k.name, role: k.role, createdAt: k.createdAt,
      ...(k.agentId ? { agentId: k.agentId } : {}), ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}),
    }));
  }

  @Delete(':keyId')
  @HttpCode(204)
  @Requires('api-keys.manage')
  @ApiOperation({ summary: 'Revoke a key: refused at once on this replica, on the others within 30 s' })
  async revoke(@Param('tenantId') tenantId: string, @Param('keyId') keyId: string): Promise<void> {
    const hash = await this.keys.revoke(tenantId, keyId);
    if (!hash) throw new NotFoundError(`API key ${keyId}`);
    this.resolver.forget(hash);
  }
}
