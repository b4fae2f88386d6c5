import { OmniError, ValidationError } from '@omni/contracts';
import { TenantModels } from '../nlu/tenant-models';
import { InMemoryDatasets, aConfig } from '../testing';
import { DatasetBody } from './dataset.schema';
import { UploadDatasetUseCase } from './upload-dataset.use-case';

const body = (examples: Array<{ text: string; label: string; lang?: string }>, extra: Record<string, unknown> = {}) => DatasetBody.parse({ examples, ...extra });
const pizza = [
  { text: 'do you deliver pizza', label: 'delivery', lang: 'en' }, { text: 'pizza to my street?', label: 'delivery', lang: 'en' },
  { text: 'when do you open', label: 'hours', lang: 'en' }, { text: 'opening hours', label: 'hours', lang: 'en' },
];

describe('UploadDatasetUseCase', () => {
  let datasets: InMemoryDatasets;
  let models: TenantModels;
  let upload: UploadDatasetUseCase;

  beforeAll(async () => {
    datasets = new InMemoryDatasets();
    models = new TenantModels(aConfig({ NLU_FASTTEXT: 'off', NLU_MODEL_CHECK_MS: '60000' }), datasets);
    await models.onModuleInit();
    upload = new UploadDatasetUseCase(models, datasets);
  }, 30_000);

  it('stores numbered versions and serves each at once on this replica', async () => {
    const v1 = await upload.execute('pizza', body(pizza), 'admin key');
    expect(v1).toMatchObject({ version: 1, examples: 4, labels: ['delivery', 'hours'], languages: ['en'] });
    expect(v1.hash).toMatch(/^[a-f0-9]{64}$/);
    expect((await models.forTenant('pizza'))?.id).toBe('tenant:1');
    const v2 = await upload.execute('pizza', body([...pizza, { text: 'bye', label: 'bye', lang: 'en' }, { text: 'see you', label: 'bye', lang: 'en' }]), 'admin key');
    expect(v2.version).toBe(2);
    const served = await models.forTenant('pizza');
    expect(served?.id).toBe('tenant:2');
    expect(served?.engine.labels).toEqual(['bye', 'delivery', 'hours']);
    expect(datasets.docs.map((d) => [d._id, d.createdBy])).toEqual([['pizza:1', 'admin key'], ['pizza:2', 'admin key']]);
  });

  it('refuses an order pattern the linear-time engine cannot run (400 naming it), storing nothing', async () => {
    const before = datasets.docs.length;
    await expect(upload.execute('redos', body(pizza, { options: { orderPatterns: ['\\bORD-\\d{5}\\b', '(?<=#)\\d{5}'] } }), 'k')).rejects.toMatchObject({
      issues: [{ path: 'options.orderPatterns.1', message: expect.stringMatching(/linear-time engine/) }],
    });
    expect(datasets.docs.length).toBe(before);
  });

  it('refuses data with one label or an order pattern that does not compile, storing nothing', async () => {
    const before = datasets.docs.length;
    await expect(upload.execute('bad', body(pizza.map((e) => ({ ...e, label: 'one' }))), 'k')).rejects.toBeInstanceOf(ValidationError);
    await expect(upload.execute('bad', body(pizza, { options: { orderPatterns: ['(unclosed'] } }), 'k')).rejects.toMatchObject({
      issues: [{ path: 'options.orderPatterns.0', message: expect.stringMatching(/missing closing \)/) }],
    });
    expect(datasets.docs).toHaveLength(before);
  });

  it('reports a conflict when a concurrent upload took the version first', async () => {
    const racing = new InMemoryDatasets();
    racing.insert = () => Promise.resolve(false);
    const err = await new UploadDatasetUseCase(models, racing).execute('race', body(pizza), 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OmniError);
    expect(err).toMatchObject({ code: 'conflict' });
  });

  it('rejects malformed bodies with every offending path (the API answers 400)', () => {
    const r = DatasetBody.safeParse({ examples: [{ text: '', label: 'has space' }], kb: { defaultLanguage: 'english' }, extra: 1 });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['examples', 'examples.0.text', 'examples.0.label', 'kb.defaultLanguage']));
  });
});
