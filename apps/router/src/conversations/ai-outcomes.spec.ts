import { CloudEvent, TOPICS, derivedId, parseEvent } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import { AiOutcomes } from './ai-outcomes';

function setup() {
  const published: { topic: string; event: CloudEvent }[] = [];
  const publisher = {
    publish: async (topic: string, events: CloudEvent | CloudEvent[]) => {
      for (const event of Array.isArray(events) ? events : [events]) published.push({ topic, event });
    },
  } as unknown as EventPublisher;
  return { outcomes: new AiOutcomes(publisher), published };
}

const scope = { tenantId: 't1', region: 'eu', channel: 'whatsapp', accountId: 'acc-1', conversationId: 'conv-1' } as const;
const at = new Date('2026-01-01T10:00:00.000Z');

describe('AiOutcomes', () => {
  it('publishes valid outcome events keyed by the conversation, with ids derived from the message (a redelivery re-produces the same id)', async () => {
    const { outcomes, published } = setup();
    await outcomes.answered(scope, 'in-1', at);
    await outcomes.answered(scope, 'in-1', at);
    await outcomes.handedOff(scope, 'in-2', ['unsatisfied_turns', 'negative_sentiment', 'unsatisfied_turns'], at);
    await outcomes.rated(scope, 'rating-1', 2, at);
    expect(published.map((p) => p.topic)).toEqual(Array(4).fill(TOPICS.aiOutcome));
    const events = published.map((p) => parseEvent(p.event, 'omni.ai.outcome.v1'));
    expect(events.map((e) => e.id)).toEqual([
      derivedId('in-1', 'ai-outcome-answered'), derivedId('in-1', 'ai-outcome-answered'), derivedId('in-2', 'ai-outcome-handed_off'), derivedId('rating-1', 'ai-outcome-csat'),
    ]);
    expect(events.map((e) => e.subject)).toEqual(Array(4).fill('conv-1'));
    expect(events[0]?.data).toEqual({ ...scope, outcome: 'answered', messageId: 'in-1', reasons: [], at: at.toISOString() });
    expect(events[2]?.data).toMatchObject({ outcome: 'handed_off', messageId: 'in-2', reasons: ['unsatisfied_turns', 'negative_sentiment'] });
    expect(events[3]?.data).toMatchObject({ outcome: 'csat', score: 2 });
    expect(events[3]?.data.messageId).toBeUndefined();
  });
});
