import { Inject, Injectable } from '@nestjs/common';
import { OmniError } from '@omni/contracts';
import { NLU_DATASET_REPOSITORY, NluDatasetRepository } from '@omni/persistence';
import { TenantModels } from '../nlu/tenant-models';
import { DatasetBody, parse } from './dataset.schema';
import { DatasetVersion, UploadDatasetUseCase } from './upload-dataset.use-case';

export interface NewExample {
  readonly text: string;
  readonly label: string;
  readonly lang?: string;
  /** The conversation the text came from (an agent's correction), so that erasure can find it. */
  readonly conversationId?: string;
}

/** Another replica can win the race for the next version: re-read and try again this many times. */
const CONFLICT_ATTEMPTS = 3;

interface Pending {
  examples: NewExample[];
  by: string;
  waiters: Array<{ resolve: (v: DatasetVersion | null) => void; reject: (err: unknown) => void }>;
}

/**
 * Adds examples (agents' corrections, a tenant's additions) to the tenant's current data — the demo
 * data if it has none yet — as a new version, and retrains. Examples already there (same text and
 * label) are skipped, so adding the same correction twice (a redelivered event, a double click)
 * creates no version: `null` then.
 *
 * One tenant's additions run one at a time in this process, and those that arrive while a training
 * runs are applied together by the next one: a burst of corrections costs two trainings, not one per
 * correction, and two additions never race for the same version here. Across replicas the version
 * insert decides; the loser re-reads the new base and tries again.
 */
@Injectable()
export class AddExamplesUseCase {
  private readonly pending = new Map<string, Pending>();
  private readonly draining = new Set<string>();

  constructor(
    private readonly upload: UploadDatasetUseCase,
    private readonly models: TenantModels,
    @Inject(NLU_DATASET_REPOSITORY) private readonly datasets: NluDatasetRepository,
  ) {}

  execute(tenantId: string, examples: readonly NewExample[], by: string): Promise<DatasetVersion | null> {
    return new Promise((resolve, reject) => {
      const queued = this.pending.get(tenantId) ?? { examples: [], by, waiters: [] };
      queued.examples.push(...examples);
      queued.waiters.push({ resolve, reject });
      if (queued.by !== by) queued.by = 'several';
      this.pending.set(tenantId, queued);
      if (!this.draining.has(tenantId)) {
        this.draining.add(tenantId);
        void this.drain(tenantId);
      }
    });
  }

  private async drain(tenantId: string): Promise<void> {
    for (;;) {
      const batch = this.pending.get(tenantId);
      if (!batch) {
        // Checked and cleared in the same turn: an addition arriving later starts a new drain.
        this.draining.delete(tenantId);
        return;
      }
      this.pending.delete(tenantId);
      try {
        const version = await this.apply(tenantId, batch.examples, batch.by);
        for (const w of batch.waiters) w.resolve(version);
      } catch (err) {
        for (const w of batch.waiters) w.reject(err);
      }
    }
  }

  private async apply(tenantId: string, examples: readonly NewExample[], by: string): Promise<DatasetVersion | null> {
    for (let attempt = 1; ; attempt++) {
      // A tenant without data starts from the demo shop's only if the demo shop is its (issue 12 #7).
      const base = (await this.datasets.latest(tenantId)) ?? this.models.baseDataset(tenantId) ?? { examples: [], kb: null, options: {} };
      const known = new Set(base.examples.map((e) => `${e.label}\u0000${e.text.trim()}`));
      const fresh: NewExample[] = [];
      for (const e of examples) {
        const key = `${e.label}\u0000${e.text.trim()}`;
        if (known.has(key)) continue;
        known.add(key);
        fresh.push(e);
      }
      if (!fresh.length) return null;
      // The stored base passes the same schema as an upload (DatasetBody also caps the example count).
      const merged = parse(DatasetBody, { examples: [...base.examples, ...fresh], kb: base.kb, options: base.options }, 'dataset with the new examples');
      try {
        return await this.upload.execute(tenantId, merged, by);
      } catch (err) {
        if (!(err instanceof OmniError && err.code === 'conflict') || attempt >= CONFLICT_ATTEMPTS) throw err;
      }
    }
  }
}
