import { Inject, Injectable } from '@nestjs/common';
import { NLU_DATASET_REPOSITORY, NluDatasetRepository } from '@omni/persistence';
import { TenantModels } from '../nlu/tenant-models';
import { DatasetBody, parse } from './dataset.schema';
import { DatasetVersion, UploadDatasetUseCase } from './upload-dataset.use-case';

export interface NewExample {
  readonly text: string;
  readonly label: string;
  readonly lang?: string;
}

/**
 * Adds examples (agents' corrections, a tenant's additions) to the tenant's current data — the demo
 * data if it has none yet — as a new version, and retrains. Examples already there (same text and
 * label) are skipped, so adding the same correction twice (a redelivered event, a double click)
 * creates no version: `null` then.
 */
@Injectable()
export class AddExamplesUseCase {
  constructor(
    private readonly upload: UploadDatasetUseCase,
    private readonly models: TenantModels,
    @Inject(NLU_DATASET_REPOSITORY) private readonly datasets: NluDatasetRepository,
  ) {}

  async execute(tenantId: string, examples: readonly NewExample[], by: string): Promise<DatasetVersion | null> {
    const base = (await this.datasets.latest(tenantId)) ?? this.models.demoDataset();
    const known = new Set(base.examples.map((e) => `${e.label}\u0000${e.text.trim()}`));
    const fresh = examples.filter((e) => !known.has(`${e.label}\u0000${e.text.trim()}`));
    if (!fresh.length) return null;
    // The stored base passes the same schema as an upload (DatasetBody also caps the example count).
    const merged = parse(DatasetBody, { examples: [...base.examples, ...fresh], kb: base.kb, options: base.options }, 'dataset with the new examples');
    return this.upload.execute(tenantId, merged, by);
  }
}
