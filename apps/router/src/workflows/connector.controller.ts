import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@omni/contracts';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { TENANT_CONNECTOR_REPOSITORY, type TenantConnectorRepository } from '@omni/persistence';
import { openApi } from '@omni/platform';
import { actorOf } from '../settings/change-tenant-settings.use-case';
import { ConnectorBody, ConnectorView, SetTenantConnectorUseCase, TenantConnectors, connectorView } from './tenant-connector';

/** A tenant's workflow connector (ADR 0226): its URL and its signing secret, write-only. */
@ApiTags('tenants')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/tenants/:tenantId/connector')
export class ConnectorController {
  constructor(
    @Inject(TENANT_CONNECTOR_REPOSITORY) private readonly connectors: TenantConnectorRepository,
    private readonly set: SetTenantConnectorUseCase,
    private readonly cache: TenantConnectors,
  ) {}

  @Get()
  @Requires('settings.manage')
  @ApiOperation({ summary: 'The tenant’s connector: its URL and its signing secret’s fingerprint (never the secret); 404 when it has none' })
  async get(@Param('tenantId') tenantId: string): Promise<ConnectorView> {
    const doc = await this.connectors.get(tenantId);
    if (!doc) throw new NotFoundError(`connector of tenant ${tenantId}`);
    return connectorView(doc);
  }

  @Put()
  @Requires('settings.manage')
  @ApiOperation({
    summary: 'Set the connector’s URL and signing secret (required the first time); a new secret rotates it',
    description: 'The secret is encrypted at rest and never returned (its fingerprint is). After a rotation the previous secret is still sent as a second Omni-Signature v1 for overlapHours (default 24, 0 = at once). 409 when another change happened meanwhile.',
  })
  @ApiBody({ schema: openApi(ConnectorBody) })
  async put(@CallerOf() caller: Caller, @Param('tenantId') tenantId: string, @Body() body: unknown): Promise<ConnectorView> {
    const view = await this.set.execute(tenantId, body, actorOf(caller));
    this.cache.forget(tenantId);
    return view;
  }

  @Delete()
  @HttpCode(204)
  @Requires('settings.manage')
  @ApiOperation({ summary: 'Remove the tenant’s connector and its sealed secrets (the deployment’s connector, if any, applies again)' })
  async remove(@Param('tenantId') tenantId: string): Promise<void> {
    if (!(await this.connectors.remove(tenantId))) throw new NotFoundError(`connector of tenant ${tenantId}`);
    this.cache.forget(tenantId);
  }
}
