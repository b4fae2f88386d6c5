/** The router's conversation report (GET /v1/reports/conversations), as the reports screen reads it. */
export interface DurationStats { n: number; meanSeconds: number | null; p50Seconds: number | null; p90Seconds: number | null }
export interface CsatStats { n: number; mean: number | null; satisfiedRate: number | null }
/** The resolution SLA, judged from the handoff (the group's target, else the tenant's `sla.resolutionSeconds`). */
export interface SlaStats { met: number; breached: number; pending: number; breachRate: number | null }
export interface SegmentStats {
  conversations: number; firstResponse: DurationStats; agentFirstResponse: DurationStats; resolution: DurationStats;
  containment: { contained: number; resolved: number; rate: number | null }; resolutionSla: SlaStats; csat: CsatStats;
}
export const SEGMENTS = ['channel', 'language', 'group'] as const;
export type Segment = (typeof SEGMENTS)[number];
export interface ConversationReport extends SegmentStats {
  from: string; to: string; channel: string | null; truncated: boolean;
  csatBy: Record<Segment, Record<string, CsatStats>>;
  /** Every figure per channel, language and group (`bot`: no agent served). */
  by: Record<Segment, Record<string, SegmentStats>>;
}

const DAY_MS = 86_400_000;

/** The `days` whole UTC days ending with today's, oldest first, as [from, to) pairs. */
export function dayRanges(days: number, now: number): { from: string; to: string }[] {
  const end = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  return Array.from({ length: days }, (_, i) => {
    const from = end - (days - i) * DAY_MS;
    return { from: new Date(from).toISOString(), to: new Date(from + DAY_MS).toISOString() };
  });
}

/** One row of figures: a day (what the chart draws), or a channel, language or group; the CSV carries them all. */
export interface FigureRow {
  section: 'day' | Segment; key: string; conversations: number; firstResponseP50: number | null; agentFirstResponseP50: number | null;
  resolutionP50: number | null; containment: number | null; resolutionBreached: number; resolutionJudged: number; csatMean: number | null; csatN: number;
}
export type DayRow = FigureRow & { section: 'day'; day: string };

function figureRow(section: FigureRow['section'], key: string, r: SegmentStats): FigureRow {
  return {
    section, key, conversations: r.conversations, firstResponseP50: r.firstResponse.p50Seconds, agentFirstResponseP50: r.agentFirstResponse.p50Seconds,
    resolutionP50: r.resolution.p50Seconds, containment: r.containment.rate, resolutionBreached: r.resolutionSla.breached,
    resolutionJudged: r.resolutionSla.met + r.resolutionSla.breached, csatMean: r.csat.mean, csatN: r.csat.n,
  };
}

export function dayRow(r: ConversationReport): DayRow {
  const day = r.from.slice(0, 10);
  return { ...figureRow('day', day, r), section: 'day', day };
}

/** The period's figures per channel, language or group, busiest first. */
export function segmentRows(total: ConversationReport | null, section: Segment): FigureRow[] {
  return Object.entries(total?.by[section] ?? {}).map(([k, r]) => figureRow(section, k, r))
    .sort((a, b) => b.conversations - a.conversations || a.key.localeCompare(b.key));
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; a leading = + - @ is defused (spreadsheet formulas). */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The report as CSV: the daily series, then one line per channel, per language and per group. */
export function reportCsv(days: DayRow[], total: ConversationReport | null): string {
  const header = ['section', 'key', 'conversations', 'first_response_p50_s', 'agent_first_response_p50_s', 'resolution_p50_s', 'containment_rate',
    'resolution_sla_breached', 'resolution_sla_judged', 'csat_mean', 'csat_n'];
  const rows = [...days, ...SEGMENTS.flatMap((section) => segmentRows(total, section))].map((r) => [
    r.section, r.key, r.conversations, r.firstResponseP50, r.agentFirstResponseP50, r.resolutionP50, r.containment, r.resolutionBreached, r.resolutionJudged, r.csatMean, r.csatN,
  ]);
  return toCsv(header, rows);
}

/** The router's A/B experiment report (GET /v1/experiments/{id}/report), as the reports screen reads it. */
export interface Interval { low: number; high: number }
export interface ExperimentReport {
  experimentId: string;
  variants: {
    variantId: string; conversations: number;
    containment: { successes: number; n: number; rate: number | null; ci: Interval | null };
    csat: { n: number; mean: number | null; ci: Interval | null };
    timeToResolutionSeconds: { n: number; mean: number | null; ci: Interval | null };
  }[];
}

/** One table row per variant: containment as a percentage with its Wilson 95% interval, CSAT and resolution time with Student-t 95% intervals. */
export interface VariantRow { experimentId: string; variantId: string; conversations: number; containment: string; csat: string; resolution: string }

export function variantRows(report: ExperimentReport, fmt: { pct: (r: number) => string; num: (n: number) => string; secs: (s: number) => string }): VariantRow[] {
  const withCi = (v: number | null, ci: Interval | null, f: (x: number) => string) => (v === null ? '—' : ci ? `${f(v)} [${f(ci.low)}–${f(ci.high)}]` : f(v));
  return report.variants.map((v) => ({
    experimentId: report.experimentId, variantId: v.variantId, conversations: v.conversations,
    containment: withCi(v.containment.rate, v.containment.ci, fmt.pct),
    csat: withCi(v.csat.mean, v.csat.ci, fmt.num),
    resolution: withCi(v.timeToResolutionSeconds.mean, v.timeToResolutionSeconds.ci, fmt.secs),
  }));
}

/** The AI worker's NLU report (GET /v1/nlu/report), the part the reports screen reads. */
export interface NluLanguage {
  language: string; predictions: number; labelled: number; correct: number; accuracy: number | null;
  outcomes: { withOutcome: number; answeredRate: number | null; handoffRate: number | null; csat: { rated: number; mean: number | null } };
}
export interface NluReport { predictions: number; overall: Omit<NluLanguage, 'language'>; byLanguage: NluLanguage[] }

/** Evidence needed before a language is compared with the whole: labelled predictions, or outcomes. */
export const BIAS_MIN_SAMPLES = 20;
/** How far below the whole (in points of accuracy, or above it in handoff rate) flags a language. */
export const BIAS_GAP = 0.1;

export interface BiasFlag { language: string; by: 'accuracy' | 'handoff'; gap: number }

/**
 * The bias flag: languages the NLU serves worse than the whole — accuracy on labelled feedback
 * `BIAS_GAP` or more below the overall, or (without enough labels) handoffs `BIAS_GAP` or more above
 * the overall rate — each only with `BIAS_MIN_SAMPLES` behind it, so one unlucky message flags nothing.
 */
export function biasFlags(report: NluReport): BiasFlag[] {
  const flags: BiasFlag[] = [];
  const all = report.overall;
  for (const l of report.byLanguage) {
    if (l.accuracy !== null && all.accuracy !== null && l.labelled >= BIAS_MIN_SAMPLES && all.accuracy - l.accuracy >= BIAS_GAP) {
      flags.push({ language: l.language, by: 'accuracy', gap: all.accuracy - l.accuracy });
    } else if (l.labelled < BIAS_MIN_SAMPLES && l.outcomes.handoffRate !== null && all.outcomes.handoffRate !== null && l.outcomes.withOutcome >= BIAS_MIN_SAMPLES
      && l.outcomes.handoffRate - all.outcomes.handoffRate >= BIAS_GAP) {
      flags.push({ language: l.language, by: 'handoff', gap: l.outcomes.handoffRate - all.outcomes.handoffRate });
    }
  }
  return flags;
}
