import type { BotTurn, TurnAi } from './turn';

/** Test factory: a bot turn that the bot answered confidently unless told otherwise. */
export function aTurn(over: Partial<TurnAi> & { customerText?: string; feedback?: 'up' | 'down'; sentimentScore?: number } = {}): BotTurn {
  const { customerText, feedback, sentimentScore, ...ai } = over;
  const base: TurnAi = {
    language: 'en',
    intent: { name: 'order_status', confidence: 0.9 },
    entities: [],
    answer: { text: 'Your order ships tomorrow.', articleId: 'kb-1' },
    abstained: false,
    ...(sentimentScore === undefined
      ? {}
      : { sentiment: { score: sentimentScore, label: sentimentScore < -0.1 ? 'negative' : sentimentScore > 0.1 ? 'positive' : 'neutral', escalate: false } }),
  };
  return {
    ai: { ...base, ...ai },
    ...(customerText === undefined ? {} : { customerText }),
    ...(feedback === undefined ? {} : { feedback }),
  };
}
