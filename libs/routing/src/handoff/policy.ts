import { parseAmount } from './amount';
import type { HandoffPolicy } from './config';
import { findHumanRequest } from './keywords';
import type { BotTurn } from './turn';

export type UnsatisfiedSignal = 'low_confidence' | 'repeated_intent' | 'negative_sentiment' | 'thumbs_down' | 'bot_abstained';
export type HandoffReasonCode = 'customer_requested' | 'human_only_intent' | 'unsatisfied_turns' | 'sentiment_escalation' | 'workflow_failed' | 'ai_requested';

export interface HandoffReason {
  readonly code: HandoffReasonCode;
  readonly detail: string;
}

export interface HandoffDecision {
  readonly handoff: boolean;
  /** All reasons that hold, not only the first: the agent and the reports see the whole picture. */
  readonly reasons: readonly HandoffReason[];
  readonly unsatisfiedStreak: number;
  /** Per turn, oldest first: which unsatisfied signals fired. */
  readonly signals: ReadonlyArray<readonly UnsatisfiedSignal[]>;
}

/** Which enabled signals mark each turn as unsatisfied. */
export function unsatisfiedSignals(turns: readonly BotTurn[], policy: HandoffPolicy): UnsatisfiedSignal[][] {
  const cfg = policy.unsatisfiedTurns;
  return turns.map((turn, i) => {
    const { intent, sentiment, abstained } = turn.ai;
    const previous = i > 0 ? turns[i - 1]?.ai.intent : null;
    const fired: UnsatisfiedSignal[] = [];
    if (cfg.lowConfidence.enabled && (intent === null || intent.confidence < cfg.lowConfidence.below)) fired.push('low_confidence');
    if (cfg.repeatedIntent.enabled && intent && previous && intent.name === previous.name) fired.push('repeated_intent');
    if (cfg.negativeSentiment.enabled && sentiment && sentiment.score <= cfg.negativeSentiment.atOrBelow) fired.push('negative_sentiment');
    if (cfg.thumbsDown.enabled && turn.feedback === 'down') fired.push('thumbs_down');
    if (cfg.botAbstained.enabled && abstained) fired.push('bot_abstained');
    return fired;
  });
}

/**
 * Decides on the latest turn whether the bot hands the conversation to a human.
 * `turns` are the bot turns since the bot last took ownership, oldest first: a streak from before an
 * earlier handoff must not count again.
 */
export function evaluateHandoff(turns: readonly BotTurn[], policy: HandoffPolicy): HandoffDecision {
  const signals = unsatisfiedSignals(turns, policy);
  const last = turns.at(-1);
  if (!last) return { handoff: false, reasons: [], unsatisfiedStreak: 0, signals };
  const reasons: HandoffReason[] = [
    ...customerRequested(last, policy),
    ...humanOnly(last, policy),
  ];
  // The worker cannot serve this message at all (e.g. a voice note and no provider to read it).
  if (last.ai.handoff) reasons.push({ code: 'ai_requested', detail: last.ai.handoff.reason });
  if (policy.sentimentEscalation && last.ai.sentiment?.escalate) {
    reasons.push({ code: 'sentiment_escalation', detail: `the NLU flagged escalation (sentiment ${last.ai.sentiment.score})` });
  }
  let streak = 0;
  for (let i = signals.length - 1; i >= 0 && (signals[i]?.length ?? 0) > 0; i--) streak++;
  const threshold = policy.unsatisfiedTurns.threshold;
  if (streak >= threshold) {
    const seen = [...new Set(signals.slice(-streak).flat())].join(', ');
    reasons.push({ code: 'unsatisfied_turns', detail: `${streak} consecutive unsatisfied bot turns (threshold ${threshold}): ${seen}` });
  }
  return { handoff: reasons.length > 0, reasons, unsatisfiedStreak: streak, signals };
}

function customerRequested(turn: BotTurn, policy: HandoffPolicy): HandoffReason[] {
  const cfg = policy.humanRequest;
  const intent = turn.ai.intent;
  if (intent && cfg.intents.includes(intent.name) && intent.confidence >= cfg.minConfidence) {
    return [{ code: 'customer_requested', detail: `intent ${intent.name} (${intent.confidence.toFixed(2)})` }];
  }
  if (cfg.keywords && turn.customerText) {
    const match = findHumanRequest(turn.customerText, cfg.extraPhrases);
    if (match) return [{ code: 'customer_requested', detail: `phrase "${match.phrase}" (${match.language})` }];
  }
  return [];
}

function humanOnly(turn: BotTurn, policy: HandoffPolicy): HandoffReason[] {
  const intent = turn.ai.intent;
  if (!intent) return [];
  const rule = policy.humanOnlyIntents.find((r) => r.intent === intent.name);
  if (!rule) return [];
  if (rule.minAmount === undefined) return [{ code: 'human_only_intent', detail: `intent ${intent.name} is human-only` }];
  const amounts = turn.ai.entities
    .filter((e) => e.type === rule.amountEntity)
    .map((e) => parseAmount(e.value))
    .filter((n): n is number => n !== undefined);
  if (amounts.length === 0) {
    return rule.whenAmountUnknown === 'human'
      ? [{ code: 'human_only_intent', detail: `intent ${intent.name} without a readable ${rule.amountEntity}` }]
      : [];
  }
  const amount = Math.max(...amounts);
  return amount >= rule.minAmount
    ? [{ code: 'human_only_intent', detail: `intent ${intent.name} with ${rule.amountEntity} ${amount} >= ${rule.minAmount}` }]
    : [];
}
