import { Global, Module } from '@nestjs/common';
import { ConnectorClient } from './connector.client';
import { RunWorkflowUseCase } from './run-workflow.use-case';
import { Workflows } from './workflows';
import { WorkflowsController } from './workflows.controller';

@Global()
@Module({ controllers: [WorkflowsController], providers: [ConnectorClient, RunWorkflowUseCase, Workflows], exports: [Workflows] })
export class WorkflowsModule {}
