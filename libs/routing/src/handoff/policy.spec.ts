import { caught } from '../testing';
import { handoffPolicy } from './config';
import { aTurn } from './factories';
import { evaluateHandoff } from './policy';
import type { BotTurn } from './turn';

const defaults = handoffPolicy();
const ok = aTurn();
const lowConf = aTurn({ intent: { name: 'order_status', confidence: 0.2 } });
const unknown = aTurn({ intent: null, answer: null, abstained: true });
const negative = aTurn({ intent: { name: 'billing', confidence: 0.9 }, sentimentScore: -0.6 });
const thumbsDown = aTurn({ intent: { name: 'shipping', confidence: 0.9 }, feedback: 'down' });
const refund = (amount: string) => aTurn({ intent: { name: 'refund', confidence: 0.95 }, entities: [{ type: 'amount', value: amount }] });

type Row = [string, BotTurn[], Record<string, unknown>, boolean, string[], number];

const table: Row[] = [
  ['no turns', [], {}, false, [], 0],
  ['a satisfied turn', [ok], {}, false, [], 0],
  ['talk_to_human intent', [aTurn({ intent: { name: 'talk_to_human', confidence: 0.8 } })], {}, true, ['customer_requested'], 0],
  ['talk_to_human below minConfidence', [aTurn({ intent: { name: 'talk_to_human', confidence: 0.3 } })], {}, false, [], 1],
  ['keyword fallback (th) with a wrong intent', [aTurn({ intent: { name: 'greeting', confidence: 0.9 }, customerText: 'ขอคุยกับพนักงาน' })], {}, true, ['customer_requested'], 0],
  ['keyword fallback switched off', [aTurn({ customerText: 'I want a human' })], { humanRequest: { keywords: false } }, false, [], 0],
  ['2 unsatisfied turns', [lowConf, unknown], {}, false, [], 2],
  ['3 unsatisfied turns (mixed signals)', [lowConf, negative, thumbsDown], {}, true, ['unsatisfied_turns'], 3],
  ['streak broken by a satisfied turn', [lowConf, unknown, ok, lowConf, unknown], {}, false, [], 2],
  ['same intent three times', [ok, ok, ok], {}, false, [], 2],
  ['same intent four times', [ok, ok, ok, ok], {}, true, ['unsatisfied_turns'], 3],
  ['repeated intent switched off', [ok, ok, ok, ok], { unsatisfiedTurns: { repeatedIntent: { enabled: false } } }, false, [], 0],
  ['threshold 2', [lowConf, unknown], { unsatisfiedTurns: { threshold: 2 } }, true, ['unsatisfied_turns'], 2],
  ['low-confidence threshold lowered', [lowConf, lowConf, lowConf].map((t, i) => ({ ...t, ai: { ...t.ai, intent: { name: `i${i}`, confidence: 0.2 } } })),
    { unsatisfiedTurns: { lowConfidence: { below: 0.1 } } }, false, [], 0],
  ['negative sentiment only counts at or below the bar', [negative, negative, negative].map((t, i) => ({ ...t, ai: { ...t.ai, intent: { name: `i${i}`, confidence: 0.9 } } })),
    { unsatisfiedTurns: { negativeSentiment: { atOrBelow: -0.8 } } }, false, [], 0],
  ['refund above the amount', [refund('R$ 1.500,00')], { humanOnlyIntents: [{ intent: 'refund', minAmount: 500 }] }, true, ['human_only_intent'], 0],
  ['refund below the amount', [refund('49.90')], { humanOnlyIntents: [{ intent: 'refund', minAmount: 500 }] }, false, [], 0],
  ['refund without an amount, bot asks', [aTurn({ intent: { name: 'refund', confidence: 0.9 } })], { humanOnlyIntents: [{ intent: 'refund', minAmount: 500 }] }, false, [], 0],
  ['refund without an amount, human', [aTurn({ intent: { name: 'refund', confidence: 0.9 } })],
    { humanOnlyIntents: [{ intent: 'refund', minAmount: 500, whenAmountUnknown: 'human' }] }, true, ['human_only_intent'], 0],
  ['the AI worker asks for a person (a voice note it cannot read)', [aTurn({ intent: null, answer: null, abstained: true, handoff: { reason: 'audio message without text' } })],
    {}, true, ['ai_requested'], 1],
  ['always-human intent', [aTurn({ intent: { name: 'legal_complaint', confidence: 0.9 } })], { humanOnlyIntents: [{ intent: 'legal_complaint' }] }, true, ['human_only_intent'], 0],
  ['escalation flag ignored by default', [{ ...ok, ai: { ...ok.ai, sentiment: { score: -0.1, label: 'neutral', escalate: true } } }], {}, false, [], 0],
  ['escalation flag enabled', [{ ...ok, ai: { ...ok.ai, sentiment: { score: -0.1, label: 'neutral', escalate: true } } }], { sentimentEscalation: true }, true, ['sentiment_escalation'], 0],
  ['every reason at once', [lowConf, unknown, aTurn({ intent: { name: 'refund', confidence: 0.3 }, entities: [{ type: 'amount', value: '900' }], customerText: 'agente por favor' })],
    { humanOnlyIntents: [{ intent: 'refund', minAmount: 500 }] }, true, ['customer_requested', 'human_only_intent', 'unsatisfied_turns'], 3],
];

describe('evaluateHandoff', () => {
  it.each(table)('%s', (_name, turns, config, handoff, codes, streak) => {
    const decision = evaluateHandoff(turns, handoffPolicy(config));
    expect(decision.handoff).toBe(handoff);
    expect(decision.reasons.map((r) => r.code)).toEqual(codes);
    expect(decision.unsatisfiedStreak).toBe(streak);
    expect(decision.signals).toHaveLength(turns.length);
  });

  it('names the signals of the streak', () => {
    const d = evaluateHandoff([lowConf, negative, thumbsDown], defaults);
    expect(d.signals).toEqual([['low_confidence'], ['negative_sentiment'], ['thumbs_down']]);
    expect(d.reasons[0]?.detail).toBe('3 consecutive unsatisfied bot turns (threshold 3): low_confidence, negative_sentiment, thumbs_down');
  });
});

describe('handoffPolicy', () => {
  it('fills defaults', () => {
    expect(defaults.unsatisfiedTurns.threshold).toBe(3);
    expect(defaults.humanRequest.intents).toEqual(['talk_to_human']);
    expect(defaults.unsatisfiedTurns.lowConfidence).toEqual({ enabled: true, below: 0.5 });
  });

  it.each([
    [{ unsatisfiedTurns: { threshold: 0 } }, 'unsatisfiedTurns.threshold'],
    [{ humanRequest: { minConfidence: 2 } }, 'humanRequest.minConfidence'],
    [{ humanOnlyIntents: [{ minAmount: 5 }] }, 'humanOnlyIntents.0.intent'],
  ])('rejects %j with the path', (input, path) => {
    expect(caught(() => handoffPolicy(input))).toMatchObject({ code: 'validation_failed', issues: [{ path }] });
  });
});
