import type { NluPredictionDoc } from '@omni/persistence';

export interface LanguageFigures {
  readonly language: string;
  readonly predictions: number;
  readonly abstained: number;
  /** Predictions below the confidence bar (abstained ones included). */
  readonly lowConfidence: number;
  readonly labelled: number;
  readonly correct: number;
  /** correct / labelled, or null without labelled feedback. */
  readonly accuracy: number | null;
}

export interface NluReport {
  readonly from: string;
  readonly to: string;
  readonly predictions: number;
  /** True when the window held more predictions than were read. */
  readonly truncated: boolean;
  readonly lowConfidenceBelow: number;
  readonly overall: Omit<LanguageFigures, 'language'>;
  readonly byLanguage: readonly LanguageFigures[];
  /** Labelled mistakes: the right intent, what the model said, how often (most frequent first). */
  readonly confusions: ReadonlyArray<{ readonly label: string; readonly predicted: string; readonly count: number }>;
  /** Low-confidence predictions grouped by their best guess: where more examples help most. */
  readonly lowConfidenceByIntent: ReadonlyArray<{ readonly intent: string; readonly count: number }>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly byModel: Readonly<Record<string, number>>;
}

const TOP = 20;

/**
 * The optimization loop's numbers from recorded predictions: accuracy per language on labelled
 * feedback (a prediction counts as correct when its intent, or its best guess when it abstained,
 * equals the label), confusion pairs and low-confidence clusters.
 */
export function buildReport(docs: readonly NluPredictionDoc[], window: { from: Date; to: Date; lowConfidenceBelow: number; truncated: boolean }): NluReport {
  const langs = new Map<string, { predictions: number; abstained: number; lowConfidence: number; labelled: number; correct: number }>();
  const confusions = new Map<string, { label: string; predicted: string; count: number }>();
  const low = new Map<string, number>();
  const outcomes: Record<string, number> = {};
  const byModel: Record<string, number> = {};
  const total = { predictions: 0, abstained: 0, lowConfidence: 0, labelled: 0, correct: 0 };
  for (const d of docs) {
    const l = langs.get(d.language) ?? { predictions: 0, abstained: 0, lowConfidence: 0, labelled: 0, correct: 0 };
    const isLow = d.abstained || d.confidence < window.lowConfidenceBelow;
    const predicted = d.intent ?? '(none)';
    for (const f of [l, total]) {
      f.predictions++;
      if (d.abstained) f.abstained++;
      if (isLow) f.lowConfidence++;
      if (d.label !== undefined) {
        f.labelled++;
        if (d.label === d.intent) f.correct++;
      }
    }
    langs.set(d.language, l);
    if (d.label !== undefined && d.label !== d.intent) {
      const key = `${d.label}\u0000${predicted}`;
      const c = confusions.get(key) ?? { label: d.label, predicted, count: 0 };
      c.count++;
      confusions.set(key, c);
    }
    if (isLow) low.set(predicted, (low.get(predicted) ?? 0) + 1);
    if (d.outcome) outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
    byModel[d.model] = (byModel[d.model] ?? 0) + 1;
  }
  const accuracy = (f: { labelled: number; correct: number }) => (f.labelled ? Math.round((f.correct / f.labelled) * 10_000) / 10_000 : null);
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    predictions: total.predictions,
    truncated: window.truncated,
    lowConfidenceBelow: window.lowConfidenceBelow,
    overall: { ...total, accuracy: accuracy(total) },
    byLanguage: [...langs.entries()].map(([language, f]) => ({ language, ...f, accuracy: accuracy(f) })).sort((a, b) => b.predictions - a.predictions),
    confusions: [...confusions.values()].sort((a, b) => b.count - a.count).slice(0, TOP),
    lowConfidenceByIntent: [...low.entries()].map(([intent, count]) => ({ intent, count })).sort((a, b) => b.count - a.count).slice(0, TOP),
    outcomes,
    byModel,
  };
}
