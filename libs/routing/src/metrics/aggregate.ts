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

export interface MetricsReport {
  readonly conversations: number;
  readonly firstResponse: DurationStats;
  /** From handoff to the first agent reply: the human queue's speed of answer. */
  readonly agentFirstResponse: DurationStats;
  readonly resolution: DurationStats;
  /** Among resolved conversations (open ones have no outcome yet): resolved without a handoff. */
  readonly containment: { readonly contained: number; readonly resolved: number; readonly rate: number | null };
  /** Most frequent first; a conversation with two reasons counts for both. */
  readonly handoffReasons: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
  readonly csat: CsatStats;
  readonly csatBy: {
    readonly channel: Readonly<Record<string, CsatStats>>;
    readonly language: Readonly<Record<string, CsatStats>>;
    readonly group: Readonly<Record<string, CsatStats>>;
  };
}

/** Group key of conversations no agent served. */
export const BOT_GROUP = 'bot';

export function aggregateMetrics(records: readonly ConversationRecord[]): MetricsReport {
  const resolved = records.filter((r) => r.resolvedAt !== undefined);
  const contained = resolved.filter((r) => !r.handedOff).length;
  const reasons = new Map<string, number>();
  for (const r of records) for (const reason of new Set(r.handoffReasons)) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  return {
    conversations: records.length,
    firstResponse: durations(records.map((r) => seconds(r.startedAt, r.firstResponseAt))),
    agentFirstResponse: durations(records.map((r) => seconds(r.handedOffAt, r.firstAgentResponseAt))),
    resolution: durations(records.map((r) => seconds(r.startedAt, r.resolvedAt))),
    containment: { contained, resolved: resolved.length, rate: resolved.length ? contained / resolved.length : null },
    handoffReasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
    csat: csatStats(records),
    csatBy: {
      channel: csatBy(records, (r) => r.channel),
      language: csatBy(records, (r) => normalizeLanguage(r.language) ?? r.language.toLowerCase()),
      group: csatBy(records, (r) => r.groupId ?? BOT_GROUP),
    },
  };
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

function csatBy(records: readonly ConversationRecord[], key: (r: ConversationRecord) => string): Record<string, CsatStats> {
  const groups = new Map<string, ConversationRecord[]>();
  for (const r of records) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return Object.fromEntries([...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, rs]) => [k, csatStats(rs)]));
}
