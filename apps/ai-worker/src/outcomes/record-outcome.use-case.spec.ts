import { AiOutcome, createEvent } from '@omni/contracts';
import type { NluPredictionRepository, PredictionOutcome } from '@omni/persistence';
import type { TenantModels } from '../nlu/tenant-models';
import type { AddExamplesUseCase, NewExample } from '../tenant-data/add-examples.use-case';
import { RecordOutcomeUseCase } from './record-outcome.use-case';

class FakePredictions implements Pick<NluPredictionRepository, 'outcome' | 'rateConversation' | 'feedback'> {
  readonly outcomes: Array<[string, string, { outcome: PredictionOutcome; reasons?: readonly string[]; label?: string }]> = [];
  readonly labels: Array<[string, string, string | undefined]> = [];

  feedback(tenantId: string, messageId: string, fb: { label?: string }) {
    this.labels.push([tenantId, messageId, fb.label]);
    return Promise.resolve(this.known.has(messageId));
  }

  readonly ratings: Array<[string, string, number]> = [];
  known = new Set(['m-1']);

  outcome(tenantId: string, messageId: string, o: { outcome: PredictionOutcome; reasons?: readonly string[]; label?: string }) {
    this.outcomes.push([tenantId, messageId, o]);
    return Promise.resolve(this.known.has(messageId) ? ('recorded' as const) : ('missing' as const));
  }

  rateConversation(tenantId: string, conversationId: string, score: number) {
    this.ratings.push([tenantId, conversationId, score]);
    return Promise.resolve(2);
  }
}

const event = (data: Partial<AiOutcome>) => createEvent({
  type: 'omni.ai.outcome.v1', id: 'e-1', source: '/router', subject: 'conv-1', tenantId: 't1', region: 'eu',
  data: { tenantId: 't1', region: 'eu', channel: 'web', accountId: 'a', conversationId: 'conv-1', outcome: 'answered', reasons: [], at: '2026-01-01T10:00:00.000Z', ...data },
});

describe('RecordOutcomeUseCase', () => {
  const setup = () => {
    const repo = new FakePredictions();
    // Outcomes without a training example never reach the model or the examples: fakes that say so if they do.
    const untouched = new Proxy({}, { get: (_t, name) => () => { throw new Error(`unexpected call to ${String(name)}`); } });
    return { repo, useCase: new RecordOutcomeUseCase(repo as unknown as NluPredictionRepository, untouched as TenantModels, untouched as AddExamplesUseCase) };
  };

  it('sets the outcome of the message’s prediction, with the handoff reasons and an agent’s label', async () => {
    const { repo, useCase } = setup();
    await useCase.execute(event({ outcome: 'handed_off', messageId: 'm-1', reasons: ['human_request', 'negative_sentiment'] }));
    await useCase.execute(event({ outcome: 'thumbs_down', messageId: 'm-1', label: 'refund' }));
    expect(repo.outcomes).toEqual([
      ['t1', 'm-1', { outcome: 'handed_off', reasons: ['human_request', 'negative_sentiment'] }],
      ['t1', 'm-1', { outcome: 'thumbs_down', reasons: [], label: 'refund' }],
    ]);
    expect(repo.ratings).toEqual([]);
  });

  it('rates every prediction of the conversation for a CSAT outcome', async () => {
    const { repo, useCase } = setup();
    await useCase.execute(event({ outcome: 'csat', score: 1 }));
    expect(repo.ratings).toEqual([['t1', 'conv-1', 1]]);
    expect(repo.outcomes).toEqual([]);
  });

  it('drops an outcome whose prediction was never recorded instead of failing the record (it could never match)', async () => {
    const { repo, useCase } = setup();
    await expect(useCase.execute(event({ outcome: 'answered', messageId: 'not-recorded' }))).resolves.toBeUndefined();
    expect(repo.outcomes).toHaveLength(1);
  });

  it('lets a database failure through, so the consumer policy retries it', async () => {
    const { repo, useCase } = setup();
    repo.outcome = () => Promise.reject(new Error('connection reset'));
    await expect(useCase.execute(event({ outcome: 'answered', messageId: 'm-1' }))).rejects.toThrow('connection reset');
  });

  describe('an agent’s correction', () => {
    const withModel = () => {
      const repo = new FakePredictions();
      const added: Array<[string, NewExample[], string]> = [];
      // The model as the worker holds it: its intents, and what the classifier sees of a text.
      const models = {
        forTenant: async () => ({
          engine: {
            labels: ['order_status', 'refund', 'complaint'],
            analyze: (text: string) => ({ maskedText: text.replace(/ORD-\d+/g, '<order>').replace(/\S+@\S+/g, '<email>'), language: 'en' }),
          },
        }),
      } as unknown as TenantModels;
      const examples = { execute: async (tenantId: string, e: NewExample[], by: string) => { added.push([tenantId, e, by]); return null; } } as unknown as AddExamplesUseCase;
      return { repo, added, useCase: new RecordOutcomeUseCase(repo as unknown as NluPredictionRepository, models, examples) };
    };

    it('labels the prediction and adds the customer’s text, entities masked, as a training example', async () => {
      const { repo, added, useCase } = withModel();
      await useCase.execute(event({ outcome: 'corrected', messageId: 'm-1', label: 'refund', example: { text: 'I want my money back for ORD-123456, mail me at ana@example.com' } }));
      expect(repo.labels).toEqual([['t1', 'm-1', 'refund']]);
      // The outcome the router recorded (answered, handed off, thumbs) is left as it was.
      expect(repo.outcomes).toEqual([]);
      expect(added).toEqual([['t1', [{ text: 'I want my money back for <order>, mail me at <email>', label: 'refund', lang: 'en', conversationId: 'conv-1' }], 'agent-correction']]);
    });

    it('keeps the label but trains nothing for an intent the model does not have, or without an example', async () => {
      const { repo, added, useCase } = withModel();
      await useCase.execute(event({ outcome: 'corrected', messageId: 'm-1', label: 'warranty', example: { text: 'is it under warranty' } }));
      await useCase.execute(event({ outcome: 'corrected', messageId: 'm-1', label: 'complaint' }));
      expect(repo.labels).toEqual([['t1', 'm-1', 'warranty'], ['t1', 'm-1', 'complaint']]);
      expect(added).toEqual([]);
    });
  });
});
