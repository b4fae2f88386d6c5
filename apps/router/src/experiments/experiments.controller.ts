import { Body, Controller, Get, Inject, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NotFoundError } from '@omni/contracts';
import { EXPERIMENT_OUTCOME_REPOSITORY, EXPERIMENT_REPOSITORY, ExperimentDoc, ExperimentOutcomeRepository, ExperimentRepository } from '@omni/persistence';
import { ExperimentReport, ExperimentSchema, experimentReport, parseExperiment, recordOutcome } from '@omni/routing';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { FlowExperiments } from './flow-experiments';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';

const ExperimentId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)');
const ExperimentBody = z.object({ active: z.boolean().default(true), salt: z.string().min(1).max(128).optional(), variants: ExperimentSchema.shape.variants }).strict();

@ApiTags('experiments')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/experiments')
export class ExperimentsController {
  constructor(
    @Inject(EXPERIMENT_REPOSITORY) private readonly experiments: ExperimentRepository,
    @Inject(EXPERIMENT_OUTCOME_REPOSITORY) private readonly outcomes: ExperimentOutcomeRepository,
    private readonly flows: FlowExperiments,
  ) {}

  @Get()
  @Requires('experiments.read')
  @ApiOperation({ summary: 'The tenant’s flow experiments' })
  list(@CallerOf() caller: Caller): Promise<ExperimentDoc[]> {
    return this.experiments.list(caller.tenantId);
  }

  @Put(':id')
  @Requires('experiments.write')
  @ApiOperation({
    summary: 'Create or change a flow experiment (variants with weights and params: handoffThreshold, greeting, replyStyle)',
    description: 'Customers are assigned when a conversation opens; changing weights or variants does not move conversations already assigned. Change the salt to reshuffle.',
  })
  @ApiBody({ schema: openApi(ExperimentBody) })
  async save(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown): Promise<ExperimentDoc | null> {
    const experimentId = parse(ExperimentId, id, 'experiment id');
    const { active, ...rest } = parse(ExperimentBody, body, 'body');
    const config = parseExperiment({ id: experimentId, ...rest });
    await this.experiments.save({ tenantId: caller.tenantId, experimentId, active, config: { ...config } });
    this.flows.invalidate(caller.tenantId);
    return this.experiments.get(caller.tenantId, experimentId);
  }

  @Get(':id/report')
  @Requires('experiments.read')
  @ApiOperation({ summary: 'Per variant: containment rate (Wilson 95% CI), CSAT mean and time to resolution (Student-t 95% CI)' })
  async report(@CallerOf() caller: Caller, @Param('id') id: string): Promise<ExperimentReport> {
    const doc = await this.experiments.get(caller.tenantId, id);
    if (!doc) throw new NotFoundError(`experiment ${id}`);
    const rows = await this.outcomes.list(caller.tenantId, id);
    return experimentReport(parseExperiment(doc.config), rows.map(({ _id: _ignored, tenantId: _t, csat, ...o }) => recordOutcome({ ...o, ...(csat === undefined || csat === null ? {} : { csat }) })));
  }
}
