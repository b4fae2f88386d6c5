import type { AiResult } from '@omni/contracts';

/** The parts of an AiResult the handoff rules read; an AiResult is assignable to it as is. */
export interface TurnAi {
  readonly messageId?: string;
  readonly language: string;
  readonly intent: { readonly name: string; readonly confidence: number } | null;
  readonly entities: ReadonlyArray<{ readonly type: string; readonly value: string }>;
  readonly sentiment?: { readonly score: number; readonly label: 'negative' | 'neutral' | 'positive'; readonly escalate: boolean };
  readonly answer: { readonly text: string; readonly articleId?: string } | null;
  readonly abstained: boolean;
  /** The AI worker asks for a person regardless of the policy (AiResult.handoff). */
  readonly handoff?: { readonly reason: string };
}

/** One bot turn: the customer's message, what the NLU made of it, and the customer's verdict on the answer. */
export interface BotTurn {
  readonly ai: TurnAi;
  readonly customerText?: string;
  readonly feedback?: 'up' | 'down';
  readonly at?: Date;
}

export function botTurn(ai: AiResult, extras: Omit<BotTurn, 'ai'> = {}): BotTurn {
  return { ai, ...extras };
}
