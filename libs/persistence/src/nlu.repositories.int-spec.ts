import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NLU_DATASET_REPOSITORY, NLU_PREDICTION_REPOSITORY, NluDatasetRepository, NluPredictionRepository } from './nlu.repositories';
import type { NluPredictionDoc } from './nlu.schemas';
import { PersistenceModule } from './persistence.module';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/nlu-${Date.now().toString(36)}`;
  return u.toString();
})();

/** Tenant NLU data versions and the prediction log on the real MongoDB-protocol server. */
describe('NLU repositories on a real database', () => {
  let app: INestApplicationContext;
  let datasets: NluDatasetRepository;
  let predictions: NluPredictionRepository;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    datasets = app.get(NLU_DATASET_REPOSITORY);
    predictions = app.get(NLU_PREDICTION_REPOSITORY);
  });

  afterAll(async () => {
    await app?.close();
  });

  const version = (tenantId: string, v: number, label = 'a') => ({
    _id: '', tenantId, version: v, examples: [{ text: 'x', label }, { text: 'y', label: 'b', lang: 'en' }], kb: null, options: {}, hash: `h${v}`, createdAt: new Date(), createdBy: 'spec',
  });

  it('inserts each version once (a concurrent upload of the same version loses) and reads the latest', async () => {
    expect(await datasets.latestVersion('t1')).toBeNull();
    expect(await datasets.insert(version('t1', 1))).toBe(true);
    expect(await datasets.insert(version('t1', 2, 'c'))).toBe(true);
    expect(await datasets.insert(version('t1', 2, 'd'))).toBe(false);
    expect(await datasets.insert(version('t2', 5))).toBe(true);
    expect(await datasets.latestVersion('t1')).toBe(2);
    const latest = await datasets.latest('t1');
    expect(latest).toMatchObject({ _id: 't1:2', version: 2, hash: 'h2', kb: null, options: {} });
    expect(latest?.examples).toEqual([{ text: 'x', label: 'c' }, { text: 'y', label: 'b', lang: 'en' }]);
  });

  it('records a prediction once, takes feedback for the tenant only, and lists a time window newest first', async () => {
    const p = (id: string, at: string): NluPredictionDoc => ({
      _id: id, tenantId: 't1', conversationId: 'c1', language: 'es', intent: 'refund', confidence: 0.8, abstained: false,
      alternatives: [{ name: 'complaint', confidence: 0.1 }], model: 'omni-nlu:demo', at: new Date(at),
    });
    expect(await predictions.record(p('m1', '2026-01-01T10:00:00Z'))).toBe(true);
    expect(await predictions.record(p('m1', '2026-01-01T10:00:00Z'))).toBe(false);
    expect(await predictions.record(p('m2', '2026-01-02T10:00:00Z'))).toBe(true);
    expect(await predictions.record(p('m3', '2026-02-01T10:00:00Z'))).toBe(true);

    expect(await predictions.feedback('other-tenant', 'm1', { label: 'refund' }, new Date())).toBe(false);
    expect(await predictions.feedback('t1', 'm1', { label: 'complaint', outcome: 'thumbs_down' }, new Date())).toBe(true);

    const window = await predictions.list('t1', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-31T00:00:00Z'), 10);
    expect(window.map((d) => d._id)).toEqual(['m2', 'm1']);
    expect(window[1]).toMatchObject({ label: 'complaint', outcome: 'thumbs_down', alternatives: [{ name: 'complaint', confidence: 0.1 }] });
    expect(await predictions.list('t1', new Date('2026-01-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z'), 1)).toHaveLength(1);
  });

  it('records the router’s outcomes idempotently, keeps the customer’s verdict, and rates a conversation’s predictions', async () => {
    const p = (id: string, conversationId: string): NluPredictionDoc => ({
      _id: id, tenantId: 't3', conversationId, language: 'pt', intent: 'refund', confidence: 0.7, abstained: false, alternatives: [], model: 'omni-nlu:demo', at: new Date('2026-03-01T10:00:00Z'),
    });
    await predictions.record(p('o1', 'c-rated'));
    await predictions.record(p('o2', 'c-rated'));
    await predictions.record(p('o3', 'c-other'));
    const at = new Date('2026-03-01T10:05:00Z');
    expect(await predictions.outcome('t3', 'o1', { outcome: 'handed_off', reasons: ['unsatisfied_turns', 'negative_sentiment'] }, at)).toBe('recorded');
    expect(await predictions.outcome('t3', 'o1', { outcome: 'handed_off', reasons: ['unsatisfied_turns', 'negative_sentiment'] }, at)).toBe('recorded');
    expect(await predictions.outcome('t3', 'o2', { outcome: 'thumbs_down' }, at)).toBe('recorded');
    expect(await predictions.outcome('t3', 'o2', { outcome: 'answered' }, at)).toBe('kept');
    expect(await predictions.outcome('t3', 'nope', { outcome: 'answered' }, at)).toBe('missing');
    expect(await predictions.outcome('other-tenant', 'o3', { outcome: 'answered' }, at)).toBe('missing');
    expect(await predictions.rateConversation('t3', 'c-rated', 2, at)).toBe(2);
    expect(await predictions.rateConversation('t3', 'c-unknown', 2, at)).toBe(0);

    const docs = await predictions.list('t3', new Date('2026-03-01T00:00:00Z'), new Date('2026-03-02T00:00:00Z'), 10);
    const byId = Object.fromEntries(docs.map((d) => [d._id, d]));
    expect(byId.o1).toMatchObject({ outcome: 'handed_off', handoffReasons: ['unsatisfied_turns', 'negative_sentiment'], csat: 2 });
    expect(byId.o2).toMatchObject({ outcome: 'thumbs_down', csat: 2 });
    expect(byId.o2?.handoffReasons).toBeUndefined();
    expect(byId.o3?.outcome).toBeUndefined();
    expect(byId.o3?.csat).toBeUndefined();
  });
});

describe('NLU prediction log under concurrent writers', () => {
  let app: INestApplicationContext;
  let predictions: NluPredictionRepository;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(`${uri}-race`), { logger: false, abortOnError: false });
    predictions = app.get(NLU_PREDICTION_REPOSITORY);
  });

  afterAll(async () => {
    await app?.close();
  });

  // The feedback API (any replica's HTTP request) and the outcomes consumer (the router's verdicts)
  // write about the same prediction at the same moment. The local store rewrites a whole document per
  // update (FerretDB: query, apply, replace by _id), so the two must not write the same document. (The
  // router's own outcomes of one conversation reach one consumer in order: they never race each other.)
  it('keeps an agent’s label when the router’s outcome lands at the same moment', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `race-${i}`);
    const at = new Date('2026-04-01T10:00:00Z');
    for (const id of ids) {
      await predictions.record({ _id: id, tenantId: 't4', conversationId: `c-${id}`, language: 'en', intent: 'refund', confidence: 0.9, abstained: false, alternatives: [], model: 'omni-nlu:demo', at });
    }
    await Promise.all(ids.flatMap((id) => [
      predictions.outcome('t4', id, { outcome: 'answered' }, at),
      predictions.feedback('t4', id, { label: 'complaint' }, at),
    ]));
    const docs = await predictions.list('t4', new Date('2026-04-01T00:00:00Z'), new Date('2026-04-02T00:00:00Z'), 100);
    expect(docs.filter((d) => d.label !== 'complaint').map((d) => d._id)).toEqual([]);
    expect(docs.filter((d) => d.outcome !== 'answered').map((d) => d._id)).toEqual([]);
  });
});
