import { Body, Controller, Get, HttpCode, Inject, Post, Put, Query, UseGuards } from '@nestjs/common';
import { NotFoundError } from '@omni/contracts';
import { NLU_DATASET_REPOSITORY, NLU_PREDICTION_REPOSITORY, NluDatasetRepository, NluPredictionRepository } from '@omni/persistence';
import { toUnderstanding } from '../answer/nlu-answerer';
import type { Understanding } from '../answer/answerer.port';
import { TenantModels } from '../nlu/tenant-models';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { DatasetBody, ExamplesBody, FeedbackBody, PredictBody, ReportQuery, parse } from './dataset.schema';
import { NluReport, buildReport } from './report';
import { AddExamplesUseCase } from './add-examples.use-case';
import { DatasetVersion, UploadDatasetUseCase } from './upload-dataset.use-case';

/** Predictions read per report: enough for weeks of a small tenant; the report says when it was cut. */
const REPORT_LIMIT = 50_000;
const DAY_MS = 86_400_000;

/** A tenant's own NLU data (admin key; the key's tenant is the one changed) and the accuracy report. */
@UseGuards(AuthGuard)
@Controller('v1/nlu')
export class TenantDataController {
  constructor(
    private readonly upload: UploadDatasetUseCase,
    private readonly addExamples: AddExamplesUseCase,
    private readonly models: TenantModels,
    @Inject(NLU_DATASET_REPOSITORY) private readonly datasets: NluDatasetRepository,
    @Inject(NLU_PREDICTION_REPOSITORY) private readonly predictions: NluPredictionRepository,
  ) {}

  /** Replaces the tenant's intents, examples, KB and options with a new version and retrains. */
  @Put('dataset')
  @Requires('nlu.write')
  replace(@CallerOf() caller: Caller, @Body() body: unknown): Promise<DatasetVersion> {
    return this.upload.execute(caller.tenantId, parse(DatasetBody, body, 'dataset'), caller.keyName);
  }

  /** Adds examples (e.g. agents' corrections) to the tenant's data (the demo data if it has none yet) and retrains; examples already there are skipped. */
  @Post('examples')
  @Requires('nlu.write')
  async add(@CallerOf() caller: Caller, @Body() body: unknown): Promise<DatasetVersion | { version: number | null; added: 0 }> {
    const { examples } = parse(ExamplesBody, body, 'examples');
    const added = await this.addExamples.execute(caller.tenantId, examples, caller.keyName);
    return added ?? { version: (await this.datasets.latestVersion(caller.tenantId)) ?? null, added: 0 };
  }

  /** Which data the tenant's model is trained on. */
  @Get('dataset')
  @Requires('nlu.read')
  async current(@CallerOf() caller: Caller): Promise<{ version: number | null; source: string; examples: number; labels: string[]; articles: number }> {
    const d = await this.datasets.latest(caller.tenantId);
    const data = d ?? this.models.baseDataset(caller.tenantId) ?? { examples: [], kb: null };
    const kb = data.kb as { articles?: unknown[] } | null;
    return {
      version: d?.version ?? null,
      source: d ? 'tenant' : this.models.demoServes(caller.tenantId) ? 'demo' : 'none',
      examples: data.examples.length,
      labels: [...new Set(data.examples.map((e) => e.label))].sort(),
      articles: kb?.articles?.length ?? 0,
    };
  }

  /** What the tenant's current model makes of a text (not recorded). */
  @Post('predict')
  @Requires('nlu.read')
  @HttpCode(200)
  async predict(@CallerOf() caller: Caller, @Body() body: unknown): Promise<Understanding> {
    const { text, previousLanguage } = parse(PredictBody, body, 'prediction request');
    const model = await this.models.forTenant(caller.tenantId);
    if (!model) throw new NotFoundError('NLU model: this tenant has no NLU data of its own yet (PUT /v1/nlu/dataset)');
    return toUnderstanding(model.engine.analyze(text, { previousLanguage }), `omni-nlu:${model.id}`);
  }

  /** Labelled feedback on a recorded prediction: the right intent and/or its outcome. */
  @Post('feedback')
  @Requires('nlu.write')
  @HttpCode(204)
  async feedback(@CallerOf() caller: Caller, @Body() body: unknown): Promise<void> {
    const f = parse(FeedbackBody, body, 'feedback');
    const found = await this.predictions.feedback(caller.tenantId, f.messageId, { label: f.label, outcome: f.outcome }, new Date());
    if (!found) throw new NotFoundError(`prediction for message ${f.messageId}`);
  }

  /** Per-language accuracy on labelled feedback and outcomes (answered, handed off, CSAT) over time, confusion pairs, low-confidence clusters (default: last 30 days). */
  @Get('report')
  @Requires('nlu.read')
  async report(@CallerOf() caller: Caller, @Query() query: unknown): Promise<NluReport> {
    const q = parse(ReportQuery, query, 'query');
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    const docs = await this.predictions.list(caller.tenantId, from, to, REPORT_LIMIT + 1);
    const truncated = docs.length > REPORT_LIMIT;
    return buildReport(truncated ? docs.slice(0, REPORT_LIMIT) : docs, { from, to, lowConfidenceBelow: q.lowConfidenceBelow, truncated, bucket: q.bucket });
  }
}
