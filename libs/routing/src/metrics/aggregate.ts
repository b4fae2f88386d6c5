import { normalizeLanguage } from '../languages';

/** One conversation as the reports see it; the router derives it from the stored conversation. */
export interface ConversationRecord {
  readonly conversationId: string;
  readonly channel: string;
  readonly language: string;
  /** The skill group that served it; absent when the bot contained it. */
  readonly groupId?: string;
  readonly startedAt: Date;
  /** First reply to the customer, by bot or agent. */
  readonly firstResponseAt?: Date;
  readonly handedOffAt?: Date;
  readonly firstAgentResponseAt?: Date;
  readonly resolvedAt?: Date;
  /** The resolution SLA of the group that served it (from the handoff to the resolution); absent = no target. */
  readonly resolutionTargetSeconds?: number;
  readonly handedOff: boolean;
  readonly handoffReasons: readonly string[];
  readonly csat?: number;
}

export interface DurationStats {
  readonly n: number;
  readonly meanSeconds: number | null;
  readonly p50Seconds: number | null;
  readonly p90Seconds: number | null;
}

export interface CsatStats {
  readonly n: number;
  readonly mean: number | null;
  /** Share of 4 and 5 ratings: the usual "CSAT %". */
  readonly satisfiedRate: number | null;
}

/**
 * The resolution SLA over handed-off conversations whose group has a target: `met` resolved within it
 * after the handoff, `breached` resolved later or still open past it, `pending` open and not yet due.
 */
export interface SlaStats {
  readonly met: number;
  readonly breached: number;
  readonly pending: number;
  /** breached / (met + breached); null when nothing was judged. */
  readonly breachRate: number | null;
}

/** The figures of a set of conversations: the whole period, or one channel, language or group of it. */
export interface SegmentStats {
  readonly conversations: number;
  readonly firstResponse: DurationStats;
  /** From handoff to the first agent reply: the human queue's speed of answer. */
  readonly agentFirstResponse: DurationStats;
  readonly resolution: DurationStats;
  /** Among resolved conversations (open ones have no outcome yet): resolved without a handoff. */
  readonly containment: { readonly contained: number; readonly resolved: number; readonly rate: number | null };
  readonly resolutionSla: SlaStats;
  readonly csat: CsatStats;
}

export interface MetricsReport extends SegmentStats {
  /** Most frequent first; a conversation with two reasons counts for both. */
  readonly handoffReasons: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
  readonly csatBy: {
    readonly channel: Readonly<Record<string, CsatStats>>;
    readonly language: Readonly<Record<string, CsatStats>>;
    readonly group: Readonly<Record<string, CsatStats>>;
  };
  /** Every figure per channel, per language and per group (`bot` for conversations no agent served). */
  readonly by: {
    readonly channel: Readonly<Record<string, SegmentStats>>;
    readonly language: Readonly<Record<string, SegmentStats>>;
    readonly group: Readonly<Record<string, SegmentStats>>;
  };
}

/** Group key of conversations no agent served. */
export const BOT_GROUP = 'bot';

const channelOf = (r: ConversationRecord) => r.channel;
const languageOf = (r: ConversationRecord) => normalizeLanguage(r.language) ?? r.language.toLowerCase();
const groupOf = (r: ConversationRecord) => r.groupId ?? BOT_GROUP;

/** `now` judges the conversations still open against their resolution SLA. */
export function aggregateMetrics(records: readonly ConversationRecord[], now: Date = new Date()): MetricsReport {
  const reasons = new Map<string, number>();
  for (const r of records) for (const reason of new Set(r.handoffReasons)) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  return {
    ...segmentStats(records, now),
    handoffReasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
    csatBy: {
      channel: mapGroups(records, channelOf, csatStats),
      language: mapGroups(records, languageOf, csatStats),
      group: mapGroups(records, groupOf, csatStats),
    },
    by: {
      channel: mapGroups(records, channelOf, (rs) => segmentStats(rs, now)),
      language: mapGroups(records, languageOf, (rs) => segmentStats(rs, now)),
      group: mapGroups(records, groupOf, (rs) => segmentStats(rs, now)),
    },
  };
}

function segmentStats(records: readonly ConversationRecord[], now: Date): SegmentStats {
  const resolved = records.filter((r) => r.resolvedAt !== undefined);
  const contained = resolved.filter((r) => !r.handedOff).length;
  return {
    conversations: records.length,
    firstResponse: durations(records.map((r) => seconds(r.startedAt, r.firstResponseAt))),
    agentFirstResponse: durations(records.map((r) => seconds(r.handedOffAt, r.firstAgentResponseAt))),
    resolution: durations(records.map((r) => seconds(r.startedAt, r.resolvedAt))),
    containment: { contained, resolved: resolved.length, rate: resolved.length ? contained / resolved.length : null },
    resolutionSla: resolutionSla(records, now),
    csat: csatStats(records),
  };
}

function resolutionSla(records: readonly ConversationRecord[], now: Date): SlaStats {
  let met = 0;
  let breached = 0;
  let pending = 0;
  for (const r of records) {
    if (r.resolutionTargetSeconds === undefined || !r.handedOffAt) continue;
    const due = r.handedOffAt.getTime() + r.resolutionTargetSeconds * 1000;
    if (r.resolvedAt) {
      if (r.resolvedAt.getTime() <= due) met++;
      else breached++;
    } else if (now.getTime() > due) breached++;
    else pending++;
  }
  return { met, breached, pending, breachRate: met + breached ? breached / (met + breached) : null };
}

function seconds(from: Date | undefined, to: Date | undefined): number | undefined {
  return from && to ? (to.getTime() - from.getTime()) / 1000 : undefined;
}

/** Nearest-rank percentiles: always an observed value, no interpolation surprises on small sets. */
function durations(values: ReadonlyArray<number | undefined>): DurationStats {
  const xs = values.filter((v): v is number => v !== undefined && v >= 0).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return { n, meanSeconds: null, p50Seconds: null, p90Seconds: null };
  const rank = (p: number) => xs[Math.max(0, Math.ceil(p * n) - 1)] ?? null;
  return { n, meanSeconds: xs.reduce((s, v) => s + v, 0) / n, p50Seconds: rank(0.5), p90Seconds: rank(0.9) };
}

function csatStats(records: readonly ConversationRecord[]): CsatStats {
  const scores = records.flatMap((r) => (r.csat === undefined ? [] : [r.csat]));
  const n = scores.length;
  if (n === 0) return { n, mean: null, satisfiedRate: null };
  return { n, mean: scores.reduce((s, v) => s + v, 0) / n, satisfiedRate: scores.filter((s) => s >= 4).length / n };
}

function mapGroups<T>(records: readonly ConversationRecord[], key: (r: ConversationRecord) => string, stats: (rs: readonly ConversationRecord[]) => T): Record<string, T> {
  const groups = new Map<string, ConversationRecord[]>();
  for (const r of records) {
    const list = groups.get(key(r));
    if (list) list.push(r);
    else groups.set(key(r), [r]);
  }
  return Object.fromEntries([...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, rs]) => [k, stats(rs)]));
}
