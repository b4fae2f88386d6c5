import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NotFoundError, OmniError, ValidationError } from '@omni/contracts';
import { AuthGuard, Requires } from '@omni/auth';
import { MESSAGE_REPOSITORY, MessageRepository, TENANT_DIRECTORY, TENANT_REPLICA_REPOSITORY, TenantConfigSnapshot, TenantDirectory, TenantReplicaRepository } from '@omni/persistence';
import type { RegionAssignment } from '@omni/routing';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';
import { RegionDirectory } from './region-directory';
import type { PeerDirectory, PeerSendAnswer } from './peer-watch';

const FailoverBody = z.object({ to: z.string().min(1, 'a region name, e.g. local-b').max(63) }).strict();
const SendQuery = z.object({ tenantId: z.string().min(1, 'the tenant the send belongs to').max(128) });

/**
 * The region directory's operator routes (API_KEY only, ADR 0300): the failover (and failback) of a
 * tenant, and this region's copy of the directory, which peer regions pull (their health check too).
 */
@ApiTags('regions')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1')
export class RegionsController {
  constructor(
    private readonly directory: RegionDirectory,
    @Inject(TENANT_REPLICA_REPOSITORY) private readonly replica: TenantReplicaRepository,
    @Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  @Post('tenants/:tenantId/failover')
  @HttpCode(200)
  @Requires('tenants.manage')
  @ApiOperation({ summary: 'Make the tenant’s standby (or, back, its home) its active region; 400 for an unknown region, 409 when `to` is not the other region of its pair or is already active' })
  @ApiBody({ schema: openApi(FailoverBody) })
  async failover(@Param('tenantId') tenantId: string, @Body() body: unknown): Promise<RegionAssignment> {
    const { to } = parse(FailoverBody, body, 'body');
    if (!this.directory.regions.includes(to)) {
      throw new ValidationError('invalid body', [{ path: 'to', message: `unknown region ${to} (known: ${this.directory.regions.join(', ')})` }]);
    }
    const result = await this.directory.switchTo(tenantId, to, 'operator');
    if (!result) throw new NotFoundError(`region assignment of tenant ${tenantId}`);
    if (!result.ok) throw new OmniError('conflict', result.refusal.message, false);
    return result.next;
  }

  @Get('regions/tenants/:tenantId/config')
  @Requires('tenants.manage')
  @ApiOperation({ summary: 'The tenant’s configuration as this region holds it (profile, channel accounts with sealed credentials, key and password hashes, agents, groups, settings, experiments, NLU data): what its standby region pulls' })
  async tenantConfig(
    @Param('tenantId') tenantId: string,
    @Headers('if-none-match') known: string | undefined,
    @Res({ passthrough: true }) res: { status(code: number): unknown; header(name: string, value: string): unknown },
  ): Promise<TenantConfigSnapshot | undefined> {
    if (!(await this.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId}`);
    const snapshot = await this.replica.snapshot(tenantId);
    // The puller names the copy it applied last: an unchanged configuration is not sent again.
    const etag = `"${createHash('sha256').update(JSON.stringify(snapshot)).digest('base64url')}"`;
    res.header('etag', etag);
    if (known === etag) {
      res.status(304);
      return undefined;
    }
    return snapshot;
  }

  @Get('regions/directory')
  @Requires('tenants.manage')
  @ApiOperation({ summary: 'This region’s copy of the region directory (what peer regions pull; their health check)' })
  async list(): Promise<PeerDirectory> {
    await this.directory.refresh();
    return { region: this.directory.region, assignments: this.directory.list() };
  }

  @Get('regions/sends/:sendId')
  @Requires('tenants.manage')
  @ApiQuery({ name: 'tenantId', required: true })
  @ApiOperation({
    summary: 'Whether this region decided the send `sendId` of the tenant (its outbound message is stored here): what a region taking the tenant over asks its previous active region; '
      + 'and whether the provider\'s status webhook for it reached this region (`confirmed`): what the region that claimed a send cut mid-request asks before sending it again',
  })
  async send(@Param('sendId') sendId: string, @Query() query: unknown): Promise<PeerSendAnswer> {
    const { tenantId } = parse(SendQuery, query, 'query');
    const [m, confirmation] = await Promise.all([
      this.messages.get(sendId),
      // Written by this region's channel app (channel-kit SendLedger.confirm) from the provider's status webhooks.
      this.connection.collection<{ _id: string; accountId: string; providerMessageId?: string }>('send_confirmations').findOne({ _id: sendId }),
    ]);
    const decided = m !== null && m.direction === 'outbound' && m.tenantId === tenantId;
    // A confirmation names no tenant: it is told only for a send this region knows is the tenant's, or that it never stored.
    const confirmed = confirmation && (m === null || m.tenantId === tenantId) ? { ...(confirmation.providerMessageId ? { providerMessageId: confirmation.providerMessageId } : {}) } : undefined;
    return { sendId, decided, ...(decided && m.regionEpoch ? { epoch: m.regionEpoch } : {}), ...(confirmed ? { confirmed } : {}) };
  }
}
