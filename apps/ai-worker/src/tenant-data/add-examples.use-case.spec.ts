import { OmniError } from '@omni/contracts';
import type { NluDatasetDoc, NluDatasetRepository } from '@omni/persistence';
import type { TenantModels } from '../nlu/tenant-models';
import { AddExamplesUseCase } from './add-examples.use-case';
import type { DatasetInput } from './dataset.schema';
import type { DatasetVersion, UploadDatasetUseCase } from './upload-dataset.use-case';

const BASE = [{ text: 'where is my order', label: 'order_status' }, { text: 'i want a refund', label: 'refund' }];

/** Versions in memory; each upload can be held until the test lets it finish. */
function setup() {
  const versions: NluDatasetDoc[] = [];
  const uploads: DatasetInput[] = [];
  const gates: Array<() => void> = [];
  let hold = false;
  let conflictsLeft = 0;
  const datasets = { latest: async () => versions.at(-1) ?? null } as unknown as NluDatasetRepository;
  const models = { baseDataset: () => ({ examples: BASE, kb: null, options: {} }) } as unknown as TenantModels;
  const upload = {
    execute: async (tenantId: string, input: DatasetInput): Promise<DatasetVersion> => {
      uploads.push(input);
      if (hold) await new Promise<void>((r) => gates.push(r));
      if (conflictsLeft > 0) {
        conflictsLeft--;
        // Another replica stored the next version meanwhile, with one more example of its own.
        versions.push({ ...(versions.at(-1) ?? { _id: '', tenantId, version: 0, kb: null, options: {}, hash: '', createdAt: new Date(), createdBy: 'x', examples: BASE }), version: versions.length + 1, examples: [...(versions.at(-1)?.examples ?? BASE), { text: 'other replica', label: 'refund' }] });
        throw new OmniError('conflict', 'another upload created the version first', false);
      }
      const version = versions.length + 1;
      versions.push({ _id: `${tenantId}:${version}`, tenantId, version, examples: input.examples, kb: input.kb, options: input.options, hash: String(version), createdAt: new Date(), createdBy: 'spec' });
      return { version, examples: input.examples.length, labels: [], languages: ['en'], trainedInMs: 1, hash: String(version) };
    },
  } as unknown as UploadDatasetUseCase;
  return {
    useCase: new AddExamplesUseCase(upload, models, datasets), versions, uploads,
    hold: () => { hold = true; },
    release: () => { hold = false; gates.splice(0).forEach((g) => g()); },
    conflictOnce: () => { conflictsLeft = 1; },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('AddExamplesUseCase', () => {
  it('adds new examples on top of the current data as one version, and nothing for examples already there', async () => {
    const s = setup();
    const v = await s.useCase.execute('t1', [{ text: 'cancel it please', label: 'refund', lang: 'en' }, { text: 'i want a refund', label: 'refund' }], 'spec');
    expect(v?.version).toBe(1);
    expect(s.versions[0]?.examples.map((e) => e.text)).toEqual(['where is my order', 'i want a refund', 'cancel it please']);
    expect(await s.useCase.execute('t1', [{ text: 'cancel it please', label: 'refund' }], 'spec')).toBeNull();
    expect(s.uploads).toHaveLength(1);
  });

  it('applies the additions that arrive during a training together, in one more version', async () => {
    const s = setup();
    s.hold();
    const first = s.useCase.execute('t1', [{ text: 'a1', label: 'refund' }], 'agent-a');
    await tick();
    const later = [
      s.useCase.execute('t1', [{ text: 'b1', label: 'refund' }], 'agent-b'),
      s.useCase.execute('t1', [{ text: 'c1', label: 'order_status' }, { text: 'b1', label: 'refund' }], 'agent-c'),
    ];
    expect(s.uploads).toHaveLength(1); // the burst waits for the running training
    s.release();
    await first;
    const [b, c] = await Promise.all(later);
    expect(s.uploads).toHaveLength(2);
    expect(b?.version).toBe(2);
    expect(c?.version).toBe(2);
    expect(s.versions[1]?.examples.map((e) => e.text)).toEqual(['where is my order', 'i want a refund', 'a1', 'b1', 'c1']);
  });

  it('re-reads and tries again when another replica stored the next version first', async () => {
    const s = setup();
    s.conflictOnce();
    const v = await s.useCase.execute('t1', [{ text: 'mine', label: 'refund' }], 'spec');
    expect(v?.version).toBe(2);
    expect(s.versions[1]?.examples.map((e) => e.text)).toEqual(['where is my order', 'i want a refund', 'other replica', 'mine']);
  });

  it('keeps tenants apart', async () => {
    const s = setup();
    s.hold();
    const a = s.useCase.execute('t1', [{ text: 'x', label: 'refund' }], 'spec');
    const b = s.useCase.execute('t2', [{ text: 'y', label: 'refund' }], 'spec');
    await tick();
    expect(s.uploads).toHaveLength(2); // t2 does not wait for t1's training
    s.release();
    await Promise.all([a, b]);
  });
});
