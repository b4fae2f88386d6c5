import { InMemoryDatasets, aConfig } from '../testing';
import { TenantModels } from './tenant-models';
import { InProcessTrainer, ThreadTrainer, defaultTrainer } from './trainer';

const examples = [
  { text: 'hi there', label: 'greet', lang: 'en' }, { text: 'hello', label: 'greet', lang: 'en' }, { text: 'good morning', label: 'greet', lang: 'en' },
  { text: 'bye now', label: 'bye', lang: 'en' }, { text: 'goodbye', label: 'bye', lang: 'en' }, { text: 'see you later', label: 'bye', lang: 'en' },
];

function dataset(tenantId: string, version: number, label = 'bye') {
  return {
    _id: `${tenantId}:${version}`, tenantId, version, examples: examples.map((e) => (e.label === 'bye' ? { ...e, label } : e)),
    kb: null, options: {}, hash: `h${version}`, createdAt: new Date(), createdBy: 'spec',
  };
}

describe('TenantModels', () => {
  let datasets: InMemoryDatasets;
  let models: TenantModels;

  beforeAll(async () => {
    datasets = new InMemoryDatasets();
    models = new TenantModels(aConfig({ NLU_MODEL_CHECK_MS: '1000', NLU_FASTTEXT: 'off' }), datasets);
    await models.onModuleInit();
  }, 30_000);

  it('serves the demo model to the bootstrap tenant without data of its own, and no model to any other tenant without data (issue 12 #7)', async () => {
    const m = await models.forTenant('default', 0);
    expect(m?.id).toBe('demo');
    expect(m?.engine.labels).toContain('order_status');
    expect(models.baseDataset('default')?.examples.length).toBeGreaterThan(1000);
    expect(await models.forTenant('nobody', 0)).toBeNull();
    expect(models.baseDataset('nobody')).toBeNull();
    // Outside the demo and test profiles the demo shop answers for nobody, the bootstrap tenant included.
    const production = new TenantModels(aConfig({ NLU_FASTTEXT: 'off', NLU_DEMO_SHOP: 'off' }), datasets);
    await production.onModuleInit();
    expect(await production.forTenant('default', 0)).toBeNull();
    expect(production.baseDataset('default')).toBeNull();
  });

  it('trains the tenant’s latest version, re-checks the version only after NLU_MODEL_CHECK_MS, and retrains when it changed', async () => {
    await datasets.insert(dataset('acme', 1, 'farewell'));
    const v1 = await models.forTenant('acme', 10_000);
    expect(v1?.id).toBe('tenant:1');
    expect(v1?.engine.labels).toEqual(['farewell', 'greet']);

    await datasets.insert(dataset('acme', 2, 'bye'));
    const reads = datasets.reads;
    expect((await models.forTenant('acme', 10_500))?.id).toBe('tenant:1'); // within the check interval: cached
    expect(datasets.reads).toBe(reads);
    // The check finds version 2: it trains in the background while version 1 keeps answering.
    expect((await models.forTenant('acme', 11_001))?.id).toBe('tenant:1');
    await models.settled('acme');
    const v2 = await models.forTenant('acme', 11_002);
    expect(v2?.id).toBe('tenant:2');
    expect(v2?.engine.labels).toEqual(['bye', 'greet']);
    expect(v2?.engine.analyze('see you').intent.name).toBe('bye');
    // Same version at the next check: the trained model is kept.
    expect(await models.forTenant('acme', 20_000)).toBe(v2);
  });

  it('trains a newer version once even when several checks see it', async () => {
    await datasets.insert(dataset('once', 1));
    await models.forTenant('once', 0);
    await datasets.insert(dataset('once', 2));
    let trainings = 0;
    const train = models.train.bind(models);
    models.train = (d) => {
      trainings++;
      return train(d);
    };
    await models.forTenant('once', 5_000);
    await models.forTenant('once', 10_000);
    await models.settled('once');
    models.train = train;
    expect(trainings).toBe(1);
    expect((await models.forTenant('once', 10_001))?.id).toBe('tenant:2');
  });

  it('loads a tenant once when messages arrive together', async () => {
    await datasets.insert(dataset('burst', 1));
    const [a, b] = await Promise.all([models.forTenant('burst', 0), models.forTenant('burst', 0)]);
    expect(a).toBe(b);
  });

  it('serves an installed version at once on this replica', async () => {
    const engine = await models.train(dataset('fast', 1));
    models.install('fast', 7, engine, 0);
    expect(await models.forTenant('fast', 10)).toEqual({ engine, id: 'tenant:7' });
  });
});

describe('defaultTrainer', () => {
  it('trains in a thread only from the built bundle, which a worker thread can load again', () => {
    expect(defaultTrainer('/app/dist/apps/ai-worker/main.js')).toBeInstanceOf(ThreadTrainer);
    expect(defaultTrainer('/repo/apps/ai-worker/src/main.ts')).toBeInstanceOf(InProcessTrainer);
    expect(defaultTrainer(undefined)).toBeInstanceOf(InProcessTrainer);
  });
});
