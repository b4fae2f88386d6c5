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
    expect(r.byLanguage).toEqual([
      { language: 'en', predictions: 3, abstained: 0, lowConfidence: 0, labelled: 2, correct: 1, accuracy: 0.5 },
      { language: 'th', predictions: 1, abstained: 0, lowConfidence: 0, labelled: 1, correct: 1, accuracy: 1 },
    ]);
    expect(r.overall).toEqual({ predictions: 4, abstained: 0, lowConfidence: 0, labelled: 3, correct: 2, accuracy: 0.6667 });
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
    expect(r.lowConfidenceByIntent).toEqual([{ intent: 'complaint', count: 2 }, { intent: 'refund', count: 1 }]);
    expect(r.overall).toMatchObject({ abstained: 1, lowConfidence: 3 });
    expect(r.outcomes).toEqual({ handed_off: 1, thumbs_down: 1 });
  });

  it('reports no accuracy without labels and says so for an empty window', () => {
    const r = buildReport([], window);
    expect(r).toMatchObject({ predictions: 0, overall: { accuracy: null }, byLanguage: [], confusions: [], from: '2025-12-01T00:00:00.000Z' });
  });
});
