import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ExternalLanguageDetector, NluEngine, createFastTextDetector } from '@omni/nlu';
import { NLU_DATASET_REPOSITORY, NluDatasetDoc, NluDatasetRepository } from '@omni/persistence';
import { AI_WORKER_CONFIG, AiWorkerConfig } from '../config';
import { DEMO_OPTIONS, demoTenantDir, loadDemoTenant } from './demo-tenant';
import { InProcessTrainer, ModelTrainer, TrainingData } from './trainer';

export interface TenantModel {
  readonly engine: NluEngine;
  /** `demo` or `tenant:<version>`: recorded with every prediction. */
  readonly id: string;
}

interface Cached {
  /** null: the tenant has no data of its own and the demo shop does not answer for it. */
  readonly model: TenantModel | null;
  readonly version: number | null;
  checkedAt: number;
}

export const MODEL_TRAINER = Symbol('ModelTrainer');

/**
 * The NLU model of each tenant. A tenant with uploaded data gets a model trained from the latest
 * version in the database. The demo shop's model, trained at start from the shipped files, answers
 * only for the bootstrap tenant and only under NLU_DEMO_SHOP=on (the demo and test profiles): any
 * other tenant without data has no model (null), and its fallback applies (issue 12 #7). The demo
 * model is still trained everywhere (~2 s): it detects the language of a fallback's customer (~2 s; a prebuilt 5 MB model JSON would save little and
 * add a build step, ADR 0103). Each replica re-checks the tenant's latest version every
 * NLU_MODEL_CHECK_MS; a newer version trains in the background (a worker thread in the built app)
 * while the previous model keeps answering, so an upload reaches every replica without a restart.
 */
@Injectable()
export class TenantModels implements OnModuleInit {
  private readonly logger = new Logger(TenantModels.name);
  private readonly cache = new Map<string, Cached>();
  private readonly checking = new Map<string, Promise<Cached>>();
  private readonly training = new Map<string, { version: number; done: Promise<Cached> }>();
  private detector: ExternalLanguageDetector | null = null;
  private demo: TenantModel | undefined;
  private demoData: TrainingData & Pick<NluDatasetDoc, 'examples'> | undefined;

  constructor(
    @Inject(AI_WORKER_CONFIG) private readonly config: AiWorkerConfig,
    @Inject(NLU_DATASET_REPOSITORY) private readonly datasets: NluDatasetRepository,
    @Inject(MODEL_TRAINER) private readonly trainer: ModelTrainer = new InProcessTrainer(),
  ) {}

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    if (this.config.NLU_FASTTEXT === 'on') this.detector = await createFastTextDetector();
    const dir = demoTenantDir(this.config.NLU_DEMO_DIR);
    const { examples, kb } = loadDemoTenant(dir);
    this.demoData = { examples, kb: kb as unknown as Record<string, unknown>, options: { ...DEMO_OPTIONS } };
    // Before the consumers start, so in process: nothing else runs yet.
    this.demo = { engine: this.withDetector(await new InProcessTrainer().train(this.demoData)), id: 'demo' };
    this.logger.log(`demo tenant model trained on ${examples.length} examples from ${dir} in ${Math.round(performance.now() - started)} ms (fastText ${this.config.NLU_FASTTEXT}); tenants' models train ${this.trainer.where}`);
  }

  /**
   * The tenant's model, or null when it has no data of its own and the demo shop does not answer for
   * it; checks the database for a newer version at most every NLU_MODEL_CHECK_MS.
   */
  async forTenant(tenantId: string, now = Date.now()): Promise<TenantModel | null> {
    const hit = this.cache.get(tenantId);
    if (hit && now - hit.checkedAt < this.config.NLU_MODEL_CHECK_MS) return hit.model;
    let pending = this.checking.get(tenantId);
    if (!pending) {
      pending = this.check(tenantId, hit, now).finally(() => this.checking.delete(tenantId));
      this.checking.set(tenantId, pending);
    }
    return (await pending).model;
  }

  /** Trains a model from a dataset (the upload API validates data this way before storing it). */
  async train(data: TrainingData): Promise<NluEngine> {
    return this.withDetector(await this.trainer.train(data));
  }

  /** Serves a just-trained version at once on this replica (others pick it up on their next check). */
  install(tenantId: string, version: number, engine: NluEngine, now = Date.now()): void {
    const current = this.cache.get(tenantId);
    if (current?.version != null && current.version > version) return;
    this.cache.set(tenantId, { model: { engine, id: `tenant:${version}` }, version, checkedAt: now });
  }

  /** The background training of the tenant's newer version, if one is running (specs await it). */
  async settled(tenantId: string): Promise<void> {
    await this.training.get(tenantId)?.done;
  }

  /** Whether the demo shop answers for this tenant while it has no data of its own. */
  demoServes(tenantId: string): boolean {
    return this.config.NLU_DEMO_SHOP === 'on' && tenantId === this.config.TENANT_ID;
  }

  /**
   * The base a tenant without data of its own adds examples to: the demo shop's data for the tenant
   * it answers for, null for any other (another company's data never becomes theirs).
   */
  baseDataset(tenantId: string): (TrainingData & Pick<NluDatasetDoc, 'examples'>) | null {
    if (!this.demoData) throw new Error('the demo tenant data is not loaded yet');
    return this.demoServes(tenantId) ? this.demoData : null;
  }

  /** The language of a text (script rules, fastText, the conversation's language as prior), for a tenant without a model. */
  languageOf(text: string, previousLanguage?: string): string {
    return this.demoModel().engine.analyze(text, { previousLanguage }).language;
  }

  private async check(tenantId: string, hit: Cached | undefined, now: number): Promise<Cached> {
    const version = await this.datasets.latestVersion(tenantId);
    if (version === null || (hit && hit.version === version)) {
      const entry = hit && hit.version === version ? hit : { model: this.demoServes(tenantId) ? this.demoModel() : null, version: null, checkedAt: now };
      entry.checkedAt = now;
      this.cache.set(tenantId, entry);
      return entry;
    }
    let run = this.training.get(tenantId);
    if (!run || run.version < version) {
      const done = this.load(tenantId, now).finally(() => {
        if (this.training.get(tenantId)?.done === done) this.training.delete(tenantId);
      });
      run = { version, done };
      this.training.set(tenantId, run);
    }
    if (!hit) return run.done; // nothing to answer with yet: wait (off the event loop in the built app)
    // Keep answering with the model we have until the new one is ready.
    hit.checkedAt = now;
    run.done.catch((err: unknown) => this.logger.error({ tenantId, err: err instanceof Error ? err.message : String(err) }, 'tenant model training failed'));
    return hit;
  }

  /** `now`: when the check that started it ran (the next check is due NLU_MODEL_CHECK_MS after). */
  private async load(tenantId: string, now: number): Promise<Cached> {
    const dataset = await this.datasets.latest(tenantId);
    if (!dataset) throw new Error(`tenant ${tenantId}: its NLU dataset disappeared`);
    const started = performance.now();
    const engine = await this.train(dataset);
    this.logger.log(`tenant ${tenantId}: model v${dataset.version} trained on ${dataset.examples.length} examples in ${Math.round(performance.now() - started)} ms`);
    this.install(tenantId, dataset.version, engine, now);
    const entry = this.cache.get(tenantId);
    if (!entry) throw new Error(`tenant ${tenantId}: model not installed`);
    return entry;
  }

  private demoModel(): TenantModel {
    if (!this.demo) throw new Error('the demo tenant model is not trained yet');
    return this.demo;
  }

  private withDetector(engine: NluEngine): NluEngine {
    return engine.useLanguageDetector(this.detector);
  }
}
