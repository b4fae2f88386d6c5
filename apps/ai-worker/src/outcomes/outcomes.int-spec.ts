import { Global, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule } from '@omni/auth';
import { AiOutcome, TOPICS, createEvent, derivedId } from '@omni/contracts';
import { EventPublisher, MessagingModule } from '@omni/messaging';
import { NLU_PREDICTION_REPOSITORY, NluPredictionDoc, NluPredictionRepository, PersistenceModule } from '@omni/persistence';
import { AI_WORKER_CONFIG, loadAiWorkerConfig } from '../config';
import { OutcomesModule } from './outcomes.module';

const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/outcomes-${suffix}`;
  return u.toString();
})();

/**
 * The outcome consumer on the real Kafka and FerretDB: the router's events (produced here as the
 * router would) land on the prediction log, joined by message id, once however often they arrive.
 */
describe('prediction outcomes from Kafka into the prediction log', () => {
  let app: INestApplicationContext;
  let publisher: EventPublisher;
  let predictions: NluPredictionRepository;
  const previousPrefix = process.env.KAFKA_TOPIC_PREFIX;

  beforeAll(async () => {
    process.env.KAFKA_TOPIC_PREFIX = `int-outcomes-${suffix}.`;
    // The worker's validated config, as AiWorkerModule provides it (corrections retrain tenants' models).
    const config = loadAiWorkerConfig({ ...process.env, MONGODB_URI: uri });
    @Global()
    @Module({ providers: [{ provide: AI_WORKER_CONFIG, useValue: config }], exports: [AI_WORKER_CONFIG] })
    class ConfigModule {}
    @Module({
      imports: [
        ConfigModule, MessagingModule.forRoot({ clientId: 'ai-worker-int', topics: [TOPICS.aiOutcome] }), PersistenceModule.forRoot(uri),
        // The tenant-data routes the outcomes module brings along check API keys, as in AiWorkerModule.
        AuthModule.forRoot({ operatorKey: config.API_KEY, defaultTenantId: config.TENANT_ID }),
        OutcomesModule,
      ],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false, abortOnError: false });
    await app.init();
    publisher = app.get(EventPublisher);
    predictions = app.get(NLU_PREDICTION_REPOSITORY);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    if (previousPrefix === undefined) delete process.env.KAFKA_TOPIC_PREFIX;
    else process.env.KAFKA_TOPIC_PREFIX = previousPrefix;
  });

  const scoped = { tenantId: 'shop', region: 'local', channel: 'web', accountId: 'site' } as const;
  const prediction = (id: string, conversationId: string, language: string): NluPredictionDoc => ({
    _id: id, tenantId: 'shop', conversationId, language, intent: 'refund', confidence: 0.62, abstained: false, alternatives: [], model: 'omni-nlu:demo', at: new Date(),
  });
  const outcome = (data: Omit<AiOutcome, 'tenantId' | 'region' | 'channel' | 'accountId' | 'reasons'> & { reasons?: string[] }, key: string) => createEvent({
    type: 'omni.ai.outcome.v1', id: derivedId(key, `ai-outcome-${data.outcome}`), source: '/router', subject: data.conversationId, tenantId: 'shop', region: 'local',
    data: { ...scoped, reasons: [], ...data },
  });

  async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('records answered, handed off (with reasons) and the conversation’s CSAT, idempotently', async () => {
    const at = new Date().toISOString();
    await predictions.record(prediction(`a-${suffix}`, `c1-${suffix}`, 'pt'));
    await predictions.record(prediction(`b-${suffix}`, `c1-${suffix}`, 'pt'));
    await predictions.record(prediction(`c-${suffix}`, `c2-${suffix}`, 'en'));
    const answered = outcome({ outcome: 'answered', messageId: `a-${suffix}`, conversationId: `c1-${suffix}`, at }, `a-${suffix}`);
    const handedOff = outcome({ outcome: 'handed_off', messageId: `b-${suffix}`, conversationId: `c1-${suffix}`, reasons: ['unsatisfied_turns'], at }, `b-${suffix}`);
    const rated = outcome({ outcome: 'csat', score: 2, conversationId: `c1-${suffix}`, at }, `rating-${suffix}`);
    const unknown = outcome({ outcome: 'answered', messageId: `never-recorded-${suffix}`, conversationId: `c2-${suffix}`, at }, `x-${suffix}`);
    // A redelivery of each (a router crash before its commit) and an outcome without a prediction.
    await publisher.publish(TOPICS.aiOutcome, [answered, handedOff, rated, unknown, answered, handedOff, rated]);
    const marker = outcome({ outcome: 'answered', messageId: `c-${suffix}`, conversationId: `c2-${suffix}`, at }, `c-${suffix}`);
    await publisher.publish(TOPICS.aiOutcome, marker);

    const window = () => predictions.list('shop', new Date(Date.now() - 3_600_000), new Date(Date.now() + 60_000), 100);
    const docs = await until('every outcome on the log', async () => {
      const d = await window();
      const byId = new Map(d.map((x) => [x._id, x]));
      return byId.get(`c-${suffix}`)?.outcome === 'answered' && byId.get(`b-${suffix}`)?.csat === 2 ? byId : null;
    });
    expect(docs.get(`a-${suffix}`)).toMatchObject({ outcome: 'answered', csat: 2, language: 'pt' });
    expect(docs.get(`b-${suffix}`)).toMatchObject({ outcome: 'handed_off', handoffReasons: ['unsatisfied_turns'], csat: 2 });
    expect(docs.get(`c-${suffix}`)?.csat).toBeUndefined();
    expect(docs.has(`never-recorded-${suffix}`)).toBe(false);
    expect(docs.size).toBe(3);
  });
});
