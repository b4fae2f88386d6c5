import { Global, Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { ConnectorClient } from './connector.client';
import { ConnectorController } from './connector.controller';
import { ConnectorUrlGuard } from './connector-url-guard';
import { CustomerVerification } from './customer-verification';
import { RunWorkflowUseCase } from './run-workflow.use-case';
import { SetTenantConnectorUseCase, TenantConnectors } from './tenant-connector';
import { Workflows } from './workflows';
import { WorkflowsController } from './workflows.controller';

@Global()
@Module({
  imports: [TenancyModule],
  controllers: [WorkflowsController, ConnectorController],
  providers: [
    { provide: ConnectorUrlGuard, inject: [ROUTER_CONFIG], useFactory: (config: RouterConfig) => ConnectorUrlGuard.of(config) },
    ConnectorClient, CustomerVerification, RunWorkflowUseCase, Workflows, TenantConnectors, SetTenantConnectorUseCase],
  exports: [Workflows],
})
export class WorkflowsModule {}
