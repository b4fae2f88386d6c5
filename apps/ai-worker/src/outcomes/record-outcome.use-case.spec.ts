import { AiOutcome, createEvent } from '@omni/contracts';
import type { NluPredictionRepository, PredictionOutcome } from '@omni/persistence';
import { RecordOutcomeUseCase } from './record-outcome.use-case';

class FakePredictions implements Pick<NluPredictionRepository, 'outcome' | 'rateConversation'> {
  readonly outcomes: Array<[string, string, { outcome: PredictionOutcome; reasons?: readonly string[]; label?: string }]> = [];
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
    return { repo, useCase: new RecordOutcomeUseCase(repo as unknown as NluPredictionRepository) };
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
});
