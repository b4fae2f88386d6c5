import type { NluPredictionDoc } from '@omni/persistence';

/** What became of predictions, from the router's outcomes (and the feedback API). */
export interface OutcomeFigures {
  /** Predictions with any outcome recorded. */
  readonly withOutcome: number;
  readonly answered: number;
  readonly handedOff: number;
  readonly thumbsDown: number;
  readonly thumbsUp: number;
  /** answered / withOutcome: the bot's answer went out and the customer did not reject it. */
  readonly answeredRate: number | null;
  /** handedOff / withOutcome. */
  readonly handoffRate: number | null;
  /** Predictions whose conversation was rated, the mean rating, and how many were 1 or 2. */
  readonly csat: { readonly rated: number; readonly mean: number | null; readonly negative: number };
}

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
  readonly outcomes: OutcomeFigures;
}

/** One language in one period (UTC day or ISO week starting Monday): per-language accuracy over time. */
export interface PeriodFigures extends LanguageFigures {
  /** The period's first day, YYYY-MM-DD (UTC). */
  readonly period: string;
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
  /**
   * Low-confidence predictions grouped by their best guess: where more examples help most; how many
   * of them ended with a person, and how many the customer rejected.
   */
  readonly lowConfidenceByIntent: ReadonlyArray<{ readonly intent: string; readonly count: number; readonly handedOff: number; readonly thumbsDown: number }>;
  /** Predicted intents that ended in a handoff or a thumbs-down most often, with the handoff reasons. */
  readonly failedByIntent: ReadonlyArray<{ readonly intent: string; readonly handedOff: number; readonly thumbsDown: number; readonly reasons: Readonly<Record<string, number>> }>;
  readonly bucket: 'day' | 'week';
  /** Per period and language, oldest first. */
  readonly timeline: readonly PeriodFigures[];
  readonly outcomes: Readonly<Record<string, number>>;
  readonly byModel: Readonly<Record<string, number>>;
}

const TOP = 20;
const DAY_MS = 86_400_000;

class Tally {
  predictions = 0;
  abstained = 0;
  lowConfidence = 0;
  labelled = 0;
  correct = 0;
  withOutcome = 0;
  answered = 0;
  handedOff = 0;
  thumbsDown = 0;
  thumbsUp = 0;
  rated = 0;
  csatSum = 0;
  negative = 0;

  add(d: NluPredictionDoc, isLow: boolean): void {
    this.predictions++;
    if (d.abstained) this.abstained++;
    if (isLow) this.lowConfidence++;
    if (d.label !== undefined) {
      this.labelled++;
      if (d.label === d.intent) this.correct++;
    }
    if (d.outcome) {
      this.withOutcome++;
      if (d.outcome === 'answered') this.answered++;
      else if (d.outcome === 'handed_off') this.handedOff++;
      else if (d.outcome === 'thumbs_down') this.thumbsDown++;
      else this.thumbsUp++;
    }
    if (d.csat !== undefined) {
      this.rated++;
      this.csatSum += d.csat;
      if (d.csat <= 2) this.negative++;
    }
  }

  figures(): Omit<LanguageFigures, 'language'> {
    return {
      predictions: this.predictions,
      abstained: this.abstained,
      lowConfidence: this.lowConfidence,
      labelled: this.labelled,
      correct: this.correct,
      accuracy: ratio(this.correct, this.labelled),
      outcomes: {
        withOutcome: this.withOutcome,
        answered: this.answered,
        handedOff: this.handedOff,
        thumbsDown: this.thumbsDown,
        thumbsUp: this.thumbsUp,
        // A thumbs-up is an answer the customer liked: it counts as answered.
        answeredRate: ratio(this.answered + this.thumbsUp, this.withOutcome),
        handoffRate: ratio(this.handedOff, this.withOutcome),
        csat: { rated: this.rated, mean: this.rated ? Math.round((this.csatSum / this.rated) * 100) / 100 : null, negative: this.negative },
      },
    };
  }
}

function ratio(n: number, of: number): number | null {
  return of ? Math.round((n / of) * 10_000) / 10_000 : null;
}

/** The first day (UTC) of the day or ISO week (Monday) holding `at`. */
export function periodOf(at: Date, bucket: 'day' | 'week'): string {
  const day = Math.floor(at.getTime() / DAY_MS);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
  const start = bucket === 'day' ? day : day - ((day + 3) % 7);
  return new Date(start * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The optimization loop's numbers from recorded predictions: accuracy per language on labelled
 * feedback (a prediction counts as correct when its intent, or its best guess when it abstained,
 * equals the label), what became of predictions (answered, handed off and why, thumbs, the
 * conversation's CSAT) per language and per period, confusion pairs and low-confidence clusters.
 */
export function buildReport(
  docs: readonly NluPredictionDoc[],
  window: { from: Date; to: Date; lowConfidenceBelow: number; truncated: boolean; bucket?: 'day' | 'week' },
): NluReport {
  const bucket = window.bucket ?? 'day';
  const total = new Tally();
  const langs = new Map<string, Tally>();
  const periods = new Map<string, { period: string; language: string; tally: Tally }>();
  const confusions = new Map<string, { label: string; predicted: string; count: number }>();
  const low = new Map<string, { intent: string; count: number; handedOff: number; thumbsDown: number }>();
  const failed = new Map<string, { intent: string; handedOff: number; thumbsDown: number; reasons: Record<string, number> }>();
  const outcomes: Record<string, number> = {};
  const byModel: Record<string, number> = {};
  for (const d of docs) {
    const isLow = d.abstained || d.confidence < window.lowConfidenceBelow;
    const predicted = d.intent ?? '(none)';
    const lang = langs.get(d.language) ?? new Tally();
    langs.set(d.language, lang);
    const period = periodOf(d.at, bucket);
    const key = `${period}\u0000${d.language}`;
    const p = periods.get(key) ?? { period, language: d.language, tally: new Tally() };
    periods.set(key, p);
    for (const t of [total, lang, p.tally]) t.add(d, isLow);
    if (d.label !== undefined && d.label !== d.intent) {
      const k = `${d.label}\u0000${predicted}`;
      const c = confusions.get(k) ?? { label: d.label, predicted, count: 0 };
      c.count++;
      confusions.set(k, c);
    }
    if (isLow) {
      const l = low.get(predicted) ?? { intent: predicted, count: 0, handedOff: 0, thumbsDown: 0 };
      l.count++;
      if (d.outcome === 'handed_off') l.handedOff++;
      if (d.outcome === 'thumbs_down') l.thumbsDown++;
      low.set(predicted, l);
    }
    if (d.outcome === 'handed_off' || d.outcome === 'thumbs_down') {
      const f = failed.get(predicted) ?? { intent: predicted, handedOff: 0, thumbsDown: 0, reasons: {} };
      if (d.outcome === 'handed_off') {
        f.handedOff++;
        for (const r of d.handoffReasons ?? []) f.reasons[r] = (f.reasons[r] ?? 0) + 1;
      } else f.thumbsDown++;
      failed.set(predicted, f);
    }
    if (d.outcome) outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
    byModel[d.model] = (byModel[d.model] ?? 0) + 1;
  }
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    predictions: total.predictions,
    truncated: window.truncated,
    lowConfidenceBelow: window.lowConfidenceBelow,
    overall: total.figures(),
    byLanguage: [...langs.entries()].map(([language, t]) => ({ language, ...t.figures() })).sort((a, b) => b.predictions - a.predictions),
    confusions: [...confusions.values()].sort((a, b) => b.count - a.count).slice(0, TOP),
    lowConfidenceByIntent: [...low.values()].sort((a, b) => b.count - a.count).slice(0, TOP),
    failedByIntent: [...failed.values()].sort((a, b) => b.handedOff + b.thumbsDown - (a.handedOff + a.thumbsDown)).slice(0, TOP),
    bucket,
    timeline: [...periods.values()]
      .map(({ period, language, tally }) => ({ period, language, ...tally.figures() }))
      .sort((a, b) => (a.period === b.period ? (a.language < b.language ? -1 : 1) : a.period < b.period ? -1 : 1)),
    outcomes,
    byModel,
  };
}
