import { Global, Module } from '@nestjs/common';
import { ConnectorClient } from './connector.client';
import { CustomerVerification } from './customer-verification';
import { RunWorkflowUseCase } from './run-workflow.use-case';
import { Workflows } from './workflows';
import { WorkflowsController } from './workflows.controller';

@Global()
@Module({ controllers: [WorkflowsController], providers: [ConnectorClient, CustomerVerification, RunWorkflowUseCase, Workflows], exports: [Workflows] })
export class WorkflowsModule {}
