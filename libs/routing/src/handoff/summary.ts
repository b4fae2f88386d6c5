import { normalizeLanguage } from '../languages';
import type { HandoffReason } from './policy';
import type { BotTurn } from './turn';

export type SentimentTrend = 'improving' | 'worsening' | 'stable' | 'unknown';

export interface HandoffSummary {
  /** The customer's language as last detected (a supported primary tag when possible). */
  readonly language: string;
  readonly turns: number;
  readonly intents: ReadonlyArray<{ readonly name: string; readonly count: number; readonly maxConfidence: number }>;
  readonly entities: ReadonlyArray<{ readonly type: string; readonly value: string }>;
  readonly sentiment: { readonly trend: SentimentTrend; readonly scores: readonly number[] };
  readonly botTried: ReadonlyArray<{
    readonly intent: string | null;
    readonly answered: boolean;
    readonly articleId?: string;
    readonly answerExcerpt?: string;
    readonly feedback?: 'up' | 'down';
  }>;
  readonly reasons: readonly HandoffReason[];
  /** One paragraph for the agent's screen (English: agents' UI language is the tenant's concern). */
  readonly text: string;
}

/** A change of the sentiment score (range -1..1) from the first to the last turn smaller than this is noise. */
const TREND_EPSILON = 0.2;
const EXCERPT = 120;

export function buildHandoffSummary(turns: readonly BotTurn[], reasons: readonly HandoffReason[]): HandoffSummary {
  const lastLanguage = [...turns].reverse().find((t) => t.ai.language)?.ai.language ?? 'und';
  const language = normalizeLanguage(lastLanguage) ?? lastLanguage;

  const intents = new Map<string, { name: string; count: number; maxConfidence: number }>();
  for (const { ai } of turns) {
    if (!ai.intent) continue;
    const seen = intents.get(ai.intent.name) ?? { name: ai.intent.name, count: 0, maxConfidence: 0 };
    intents.set(ai.intent.name, { ...seen, count: seen.count + 1, maxConfidence: Math.max(seen.maxConfidence, ai.intent.confidence) });
  }

  const entities = new Map<string, { type: string; value: string }>();
  for (const { ai } of turns) for (const e of ai.entities) entities.set(`${e.type}\u0000${e.value}`, { type: e.type, value: e.value });

  const scores = turns.flatMap((t) => (t.ai.sentiment ? [t.ai.sentiment.score] : []));
  const botTried = turns.map((t) => ({
    intent: t.ai.intent?.name ?? null,
    answered: t.ai.answer !== null && !t.ai.abstained,
    ...(t.ai.answer?.articleId ? { articleId: t.ai.answer.articleId } : {}),
    ...(t.ai.answer ? { answerExcerpt: excerpt(t.ai.answer.text) } : {}),
    ...(t.feedback ? { feedback: t.feedback } : {}),
  }));

  const summary = {
    language,
    turns: turns.length,
    intents: [...intents.values()],
    entities: [...entities.values()],
    sentiment: { trend: trend(scores), scores },
    botTried,
    reasons: [...reasons],
  };
  return { ...summary, text: describe(summary) };
}

function trend(scores: readonly number[]): SentimentTrend {
  const first = scores[0];
  const last = scores.at(-1);
  if (first === undefined || last === undefined || scores.length < 2) return 'unknown';
  if (last - first >= TREND_EPSILON) return 'improving';
  if (first - last >= TREND_EPSILON) return 'worsening';
  return 'stable';
}

function excerpt(text: string): string {
  return text.length <= EXCERPT ? text : `${text.slice(0, EXCERPT - 1)}…`;
}

function describe(s: Omit<HandoffSummary, 'text'>): string {
  const intents = s.intents.map((i) => (i.count > 1 ? `${i.name} x${i.count}` : i.name)).join(', ') || 'none recognised';
  const entities = s.entities.map((e) => `${e.type}=${e.value}`).join(', ') || 'none';
  const answered = s.botTried.filter((t) => t.answered).length;
  const down = s.botTried.filter((t) => t.feedback === 'down').length;
  const why = s.reasons.map((r) => `${r.code} (${r.detail})`).join('; ') || 'agent request';
  return [
    `Language: ${s.language}. Intents: ${intents}. Entities: ${entities}.`,
    `Sentiment: ${s.sentiment.trend}. Bot answered ${answered} of ${s.turns} turns${down ? `, ${down} thumbs-down` : ''}.`,
    `Handoff: ${why}.`,
  ].join(' ');
}
