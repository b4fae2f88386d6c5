import type { NluPredictionDoc } from '@omni/persistence';
import { buildReport } from './report';

let n = 0;
function aPrediction(over: Partial<NluPredictionDoc>): NluPredictionDoc {
  n++;
  return {
    _id: `m${n}`, tenantId: 't', conversationId: 'c', language: 'en', intent: 'order_status', confidence: 0.9, abstained: false,
    alternatives: [], model: 'omni-nlu:demo', at: new Date(Date.UTC(2026, 0, 1)), ...over,
  };
}

const window = { from: new Date(Date.UTC(2025, 11, 1)), to: new Date(Date.UTC(2026, 0, 2)), lowConfidenceBelow: 0.5, truncated: false };

describe('buildReport', () => {
  it('computes accuracy per language on labelled feedback only', () => {
    const r = buildReport([
      aPrediction({ label: 'order_status' }),
      aPrediction({ label: 'refund' }),
      aPrediction({}),
      aPrediction({ language: 'th', label: 'refund', intent: 'refund' }),
    ], window);
    expect(r.byLanguage).toMatchObject([
      { language: 'en', predictions: 3, abstained: 0, lowConfidence: 0, labelled: 2, correct: 1, accuracy: 0.5 },
      { language: 'th', predictions: 1, abstained: 0, lowConfidence: 0, labelled: 1, correct: 1, accuracy: 1 },
    ]);
    expect(r.overall).toMatchObject({ predictions: 4, abstained: 0, lowConfidence: 0, labelled: 3, correct: 2, accuracy: 0.6667 });
  });

  it('lists confusion pairs, most frequent first, and groups low-confidence predictions by their best guess', () => {
    const r = buildReport([
      aPrediction({ label: 'cancel_order', intent: 'order_status' }),
      aPrediction({ label: 'cancel_order', intent: 'order_status' }),
      aPrediction({ label: 'refund', intent: 'complaint', confidence: 0.4 }),
      aPrediction({ intent: 'complaint', confidence: 0.2, abstained: true, outcome: 'handed_off' }),
      aPrediction({ intent: 'refund', confidence: 0.45, outcome: 'thumbs_down' }),
    ], window);
    expect(r.confusions).toEqual([
      { label: 'cancel_order', predicted: 'order_status', count: 2 },
      { label: 'refund', predicted: 'complaint', count: 1 },
    ]);
    expect(r.lowConfidenceByIntent).toEqual([{ intent: 'complaint', count: 2, handedOff: 1, thumbsDown: 0 }, { intent: 'refund', count: 1, handedOff: 0, thumbsDown: 1 }]);
    expect(r.overall).toMatchObject({ abstained: 1, lowConfidence: 3 });
    expect(r.outcomes).toEqual({ handed_off: 1, thumbs_down: 1 });
  });

  it('reports no accuracy without labels and says so for an empty window', () => {
    const r = buildReport([], window);
    expect(r).toMatchObject({ predictions: 0, overall: { accuracy: null }, byLanguage: [], confusions: [], from: '2025-12-01T00:00:00.000Z' });
  });

  it('shows outcome figures per language: answered and handoff rates, handoff reasons by intent, CSAT of rated conversations', () => {
    const r = buildReport([
      aPrediction({ outcome: 'answered', csat: 5 }),
      aPrediction({ outcome: 'answered', csat: 2 }),
      aPrediction({ outcome: 'thumbs_up' }),
      aPrediction({ intent: 'refund', outcome: 'handed_off', handoffReasons: ['unsatisfied_turns', 'negative_sentiment'], csat: 1 }),
      aPrediction({}),
      aPrediction({ language: 'pt', intent: 'refund', outcome: 'handed_off', handoffReasons: ['human_request'] }),
      aPrediction({ language: 'pt', intent: 'refund', outcome: 'thumbs_down' }),
    ], window);
    expect(r.byLanguage.find((l) => l.language === 'en')?.outcomes).toEqual({
      withOutcome: 4, answered: 2, handedOff: 1, thumbsDown: 0, thumbsUp: 1, answeredRate: 0.75, handoffRate: 0.25,
      csat: { rated: 3, mean: 2.67, negative: 2 },
    });
    expect(r.byLanguage.find((l) => l.language === 'pt')?.outcomes).toMatchObject({ withOutcome: 2, answeredRate: 0, handoffRate: 0.5, csat: { rated: 0, mean: null } });
    expect(r.failedByIntent).toEqual([{ intent: 'refund', handedOff: 2, thumbsDown: 1, reasons: { unsatisfied_turns: 1, negative_sentiment: 1, human_request: 1 } }]);
    expect(r.outcomes).toEqual({ answered: 2, thumbs_up: 1, handed_off: 2, thumbs_down: 1 });
  });

  it('follows each language over time, by UTC day or ISO week', () => {
    const docs = [
      aPrediction({ at: new Date('2026-01-05T23:00:00Z'), label: 'order_status', outcome: 'answered' }), // a Monday
      aPrediction({ at: new Date('2026-01-06T01:00:00Z'), label: 'refund', outcome: 'handed_off' }),
      aPrediction({ at: new Date('2026-01-11T12:00:00Z'), language: 'pt', label: 'order_status' }), // Sunday, same week
      aPrediction({ at: new Date('2026-01-12T00:00:00Z'), language: 'pt', label: 'refund' }), // next Monday
    ];
    const daily = buildReport(docs, window);
    expect(daily.bucket).toBe('day');
    expect(daily.timeline.map((p) => [p.period, p.language, p.predictions, p.accuracy, p.outcomes.handoffRate])).toEqual([
      ['2026-01-05', 'en', 1, 1, 0],
      ['2026-01-06', 'en', 1, 0, 1],
      ['2026-01-11', 'pt', 1, 1, null],
      ['2026-01-12', 'pt', 1, 0, null],
    ]);
    const weekly = buildReport(docs, { ...window, bucket: 'week' });
    expect(weekly.timeline.map((p) => [p.period, p.language, p.predictions, p.accuracy])).toEqual([
      ['2026-01-05', 'en', 2, 0.5],
      ['2026-01-05', 'pt', 1, 1],
      ['2026-01-12', 'pt', 1, 0],
    ]);
  });
});
