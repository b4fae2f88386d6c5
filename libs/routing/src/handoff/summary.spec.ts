import { aTurn } from './factories';
import { buildHandoffSummary } from './summary';

describe('buildHandoffSummary', () => {
  const turns = [
    aTurn({ language: 'es-MX', intent: { name: 'refund', confidence: 0.6 }, entities: [{ type: 'order_id', value: 'A-17' }], sentimentScore: 0.1 }),
    aTurn({ language: 'es', intent: { name: 'refund', confidence: 0.7 }, entities: [{ type: 'order_id', value: 'A-17' }], sentimentScore: -0.2, feedback: 'down' }),
    aTurn({ language: 'es', intent: null, answer: null, abstained: true, entities: [{ type: 'amount', value: '300' }], sentimentScore: -0.7 }),
  ];
  const summary = buildHandoffSummary(turns, [{ code: 'unsatisfied_turns', detail: '3 turns' }]);

  it('collects language, intents, entities and trend', () => {
    expect(summary.language).toBe('es');
    expect(summary.turns).toBe(3);
    expect(summary.intents).toEqual([{ name: 'refund', count: 2, maxConfidence: 0.7 }]);
    expect(summary.entities).toEqual([{ type: 'order_id', value: 'A-17' }, { type: 'amount', value: '300' }]);
    expect(summary.sentiment).toEqual({ trend: 'worsening', scores: [0.1, -0.2, -0.7] });
  });

  it('lists what the bot tried', () => {
    expect(summary.botTried).toEqual([
      { intent: 'refund', answered: true, articleId: 'kb-1', answerExcerpt: 'Your order ships tomorrow.' },
      { intent: 'refund', answered: true, articleId: 'kb-1', answerExcerpt: 'Your order ships tomorrow.', feedback: 'down' },
      { intent: null, answered: false },
    ]);
    expect(summary.text).toBe(
      'Language: es. Intents: refund x2. Entities: order_id=A-17, amount=300. Sentiment: worsening. ' +
        'Bot answered 2 of 3 turns, 1 thumbs-down. Handoff: unsatisfied_turns (3 turns).',
    );
  });

  it.each([
    [[0.1, 0.5], 'improving'],
    [[-0.3, -0.2], 'stable'],
    [[0.4], 'unknown'],
    [[], 'unknown'],
  ] as const)('sentiment %j is %s', (scores, expected) => {
    const s = buildHandoffSummary(scores.map((sentimentScore) => aTurn({ sentimentScore })), []);
    expect(s.sentiment.trend).toBe(expected);
  });

  it('keeps an unsupported language tag as is and truncates long answers', () => {
    const s = buildHandoffSummary([aTurn({ language: 'ja', answer: { text: 'x'.repeat(300) } })], []);
    expect(s.language).toBe('ja');
    expect(s.botTried[0]?.answerExcerpt).toHaveLength(120);
  });
});
