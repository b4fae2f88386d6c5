import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ExternalLanguageDetector, KnowledgeBase, NluEngine, createFastTextDetector } from '@omni/nlu';
import { NLU_DATASET_REPOSITORY, NluDatasetDoc, NluDatasetRepository } from '@omni/persistence';
import { AI_WORKER_CONFIG, AiWorkerConfig } from '../config';
import { DEMO_OPTIONS, demoTenantDir, loadDemoTenant } from './demo-tenant';

export interface TenantModel {
  readonly engine: NluEngine;
  /** `demo` or `tenant:<version>`: recorded with every prediction. */
  readonly id: string;
}

interface Cached {
  model: TenantModel;
  version: number | null;
  checkedAt: number;
}

/**
 * The NLU model of each tenant. A tenant with uploaded data gets a model trained from the latest
 * version in the database; every other tenant (the default one included) gets the demo shop's model,
 * trained at start from the shipped files (~2 s; loading a prebuilt 5 MB model JSON would save little
 * and add a build step, ADR 0103). Each replica re-checks the tenant's latest version every
 * NLU_MODEL_CHECK_MS and retrains when it changed: an upload reaches every replica without a restart.
 */
@Injectable()
export class TenantModels implements OnModuleInit {
  private readonly logger = new Logger(TenantModels.name);
  private readonly cache = new Map<string, Cached>();
  private readonly loading = new Map<string, Promise<Cached>>();
  private detector: ExternalLanguageDetector | null = null;
  private demo: TenantModel | undefined;
  private demoData: Pick<NluDatasetDoc, 'examples' | 'kb' | 'options'> | undefined;

  constructor(
    @Inject(AI_WORKER_CONFIG) private readonly config: AiWorkerConfig,
    @Inject(NLU_DATASET_REPOSITORY) private readonly datasets: NluDatasetRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    if (this.config.NLU_FASTTEXT === 'on') this.detector = await createFastTextDetector();
    const dir = demoTenantDir(this.config.NLU_DEMO_DIR);
    const { examples, kb } = loadDemoTenant(dir);
    this.demoData = { examples, kb: kb as unknown as Record<string, unknown>, options: { ...DEMO_OPTIONS } };
    this.demo = { engine: this.withDetector(NluEngine.train(examples, kb, DEMO_OPTIONS)), id: 'demo' };
    this.logger.log(`demo tenant model trained on ${examples.length} examples from ${dir} in ${Math.round(performance.now() - started)} ms (fastText ${this.config.NLU_FASTTEXT})`);
  }

  /** The tenant's model; checks the database for a newer version at most every NLU_MODEL_CHECK_MS. */
  async forTenant(tenantId: string, now = Date.now()): Promise<TenantModel> {
    const hit = this.cache.get(tenantId);
    if (hit && now - hit.checkedAt < this.config.NLU_MODEL_CHECK_MS) return hit.model;
    const pending = this.loading.get(tenantId);
    if (pending) return (await pending).model;
    const load = this.refresh(tenantId, hit, now).finally(() => this.loading.delete(tenantId));
    this.loading.set(tenantId, load);
    return (await load).model;
  }

  /** Trains a model from a dataset (the upload API validates data this way before storing it). */
  train(dataset: Pick<NluDatasetDoc, 'examples' | 'kb' | 'options'>): NluEngine {
    return this.withDetector(NluEngine.train(dataset.examples, dataset.kb as KnowledgeBase | null, dataset.options));
  }

  /** Serves a just-trained version at once on this replica (others pick it up on their next check). */
  install(tenantId: string, version: number, engine: NluEngine, now = Date.now()): void {
    this.cache.set(tenantId, { model: { engine, id: `tenant:${version}` }, version, checkedAt: now });
  }

  private async refresh(tenantId: string, hit: Cached | undefined, now: number): Promise<Cached> {
    const version = await this.datasets.latestVersion(tenantId);
    if (hit && hit.version === version) {
      hit.checkedAt = now;
      return hit;
    }
    let entry: Cached;
    const dataset = version === null ? null : await this.datasets.latest(tenantId);
    if (!dataset) {
      entry = { model: this.demoModel(), version: null, checkedAt: now };
    } else {
      const started = performance.now();
      entry = { model: { engine: this.train(dataset), id: `tenant:${dataset.version}` }, version: dataset.version, checkedAt: now };
      this.logger.log(`tenant ${tenantId}: model v${dataset.version} trained on ${dataset.examples.length} examples in ${Math.round(performance.now() - started)} ms`);
    }
    this.cache.set(tenantId, entry);
    return entry;
  }

  /** The shipped demo data: the base a tenant without data of its own adds examples to. */
  demoDataset(): Pick<NluDatasetDoc, 'examples' | 'kb' | 'options'> {
    if (!this.demoData) throw new Error('the demo tenant data is not loaded yet');
    return this.demoData;
  }

  private demoModel(): TenantModel {
    if (!this.demo) throw new Error('the demo tenant model is not trained yet');
    return this.demo;
  }

  private withDetector(engine: NluEngine): NluEngine {
    return engine.useLanguageDetector(this.detector);
  }
}
