import { Inject, Injectable } from '@nestjs/common';
import { OmniError, ValidationError } from '@omni/contracts';
import { NLU_DATASET_REPOSITORY, NluDatasetRepository, datasetHash } from '@omni/persistence';
import { TenantModels } from '../nlu/tenant-models';
import { DatasetInput, checkPatterns } from './dataset.schema';

export interface DatasetVersion {
  readonly version: number;
  readonly examples: number;
  readonly labels: readonly string[];
  readonly languages: readonly string[];
  readonly trainedInMs: number;
  readonly hash: string;
}

/**
 * Stores a new version of a tenant's NLU data after training on it once (bad data fails here with
 * a 400, not later in a worker), and serves it on this replica at once; the other replicas pick it
 * up at their next version check (NLU_MODEL_CHECK_MS). The built app trains in a worker thread, so
 * answering goes on meanwhile; the upload request waits for it (Banking77-size: 15–100 s).
 */
@Injectable()
export class UploadDatasetUseCase {
  constructor(
    private readonly models: TenantModels,
    @Inject(NLU_DATASET_REPOSITORY) private readonly datasets: NluDatasetRepository,
  ) {}

  async execute(tenantId: string, input: DatasetInput, by: string): Promise<DatasetVersion> {
    checkPatterns(input.options.orderPatterns);
    const labels = [...new Set(input.examples.map((e) => e.label))].sort();
    if (labels.length < 2) throw new ValidationError('invalid dataset', [{ path: 'examples', message: 'needs at least two different labels' }]);
    const started = performance.now();
    const engine = await this.models.train(input).catch((err: unknown) => {
      throw new ValidationError('the dataset does not train', [{ path: '', message: err instanceof Error ? err.message : String(err) }]);
    });
    const trainedInMs = Math.round(performance.now() - started);
    const version = ((await this.datasets.latestVersion(tenantId)) ?? 0) + 1;
    const hash = datasetHash(input);
    const stored = await this.datasets.insert({
      _id: `${tenantId}:${version}`, tenantId, version, examples: input.examples, kb: input.kb, options: input.options, hash, createdAt: new Date(), createdBy: by,
    });
    if (!stored) throw new OmniError('conflict', `another upload created version ${version} first: reload and retry`, false);
    this.models.install(tenantId, version, engine);
    return { version, examples: input.examples.length, labels, languages: engine.options.languages, trainedInMs, hash };
  }
}
