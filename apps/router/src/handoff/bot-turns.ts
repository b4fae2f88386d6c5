import type { AiResult } from '@omni/contracts';
import type { BotTurn } from '@omni/routing';
import type { BotTurnDoc } from '@omni/persistence';

/** Turns read per evaluation: enough for any configured streak plus the previous intent. */
export function turnsToRead(threshold: number): number {
  return Math.max(threshold + 1, 5);
}

export function storedTurn(r: AiResult, ownerVersion: number, customerText: string | undefined, at: Date): BotTurnDoc {
  return {
    _id: r.messageId,
    tenantId: r.tenantId,
    conversationId: r.conversationId,
    ownerVersion,
    at,
    ...(customerText ? { customerText: customerText.slice(0, 1024) } : {}),
    ai: {
      language: r.language,
      intent: r.intent,
      entities: r.entities.map((e) => ({ type: e.type, value: e.value })),
      ...(r.sentiment ? { sentiment: r.sentiment } : {}),
      answer: r.answer ? { text: r.answer.text, ...(r.answer.articleId ? { articleId: r.answer.articleId } : {}) } : null,
      abstained: r.abstained,
      ...(r.handoff ? { handoff: r.handoff } : {}),
    },
  };
}

export function toBotTurn(t: BotTurnDoc): BotTurn {
  return { ai: t.ai, at: t.at, ...(t.customerText ? { customerText: t.customerText } : {}), ...(t.feedback ? { feedback: t.feedback } : {}) };
}

/** Greetings and thanks are not a topic the customer is stuck on: saying "hi" again is not a repeat. */
export const DEFAULT_SMALL_TALK_INTENTS: readonly string[] = ['greeting', 'thanks', 'goodbye', 'small_talk'];

/**
 * The turns as the handoff rules should see them: small-talk intents never count as "the same intent
 * repeated" (each gets a distinct name for the comparison); every other signal is untouched.
 */
export function forHandoffRules(turns: readonly BotTurnDoc[], smallTalk: readonly string[]): BotTurn[] {
  return turns.map((t, i) => {
    const turn = toBotTurn(t);
    const intent = turn.ai.intent;
    return intent && smallTalk.includes(intent.name) ? { ...turn, ai: { ...turn.ai, intent: { ...intent, name: `${intent.name}#${i}` } } } : turn;
  });
}
