import type { BotTurnDoc } from '@omni/persistence';
import { evaluateHandoff, handoffPolicy } from '@omni/routing';
import { DEFAULT_SMALL_TALK_INTENTS, forHandoffRules } from './bot-turns';

const turn = (i: number, intent: string, confidence = 0.9): BotTurnDoc => ({
  _id: `m${i}`, tenantId: 't', conversationId: 'c', ownerVersion: 0, at: new Date(1_000 * i), customerText: `text ${i}`,
  ai: { language: 'en', intent: { name: intent, confidence }, entities: [], answer: { text: 'answer' }, abstained: false },
});
const policy = handoffPolicy({});
const decide = (turns: BotTurnDoc[]) => evaluateHandoff(forHandoffRules(turns, DEFAULT_SMALL_TALK_INTENTS), policy);

describe('forHandoffRules', () => {
  it.each([
    ['a customer greeting again and again is not stuck', ['greeting', 'greeting', 'greeting', 'greeting', 'greeting'], false],
    ['thanks repeated is not a repeat either', ['thanks', 'thanks', 'thanks', 'thanks'], false],
    ['the same real question four times hands off', ['order_status', 'order_status', 'order_status', 'order_status'], true],
    ['small talk in between breaks no real streak', ['refund', 'refund', 'greeting', 'refund'], false],
  ])('%s', (_name, intents, handoff) => {
    expect(decide(intents.map((name, i) => turn(i, name))).handoff).toBe(handoff);
  });

  it('keeps every other signal: low-confidence greetings still count', () => {
    expect(decide([0, 1, 2].map((i) => turn(i, 'greeting', 0.2)))).toMatchObject({ handoff: true, unsatisfiedStreak: 3 });
  });
});
