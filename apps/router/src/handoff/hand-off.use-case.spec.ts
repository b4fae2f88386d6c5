import { AiOutcome, AiResult, CloudEvent, TOPICS } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import type { BotTurnDoc, ConversationDoc, OwnershipClaimDoc } from '@omni/persistence';
import type { Ownership } from '@omni/routing';
import { AiOutcomes } from '../conversations/ai-outcomes';
import type { ConversationEvents } from '../conversations/conversation-events';
import type { CustomerMessages, OutgoingText } from '../conversations/customer-messages';
import type { ClaimExtras, OwnershipStore } from '../conversations/ownership.store';
import type { CustomerStanding, Standing } from '../customers/customer-standing';
import { HandOffUseCase } from './hand-off.use-case';
import type { QueueDispatcher } from './queue-dispatcher.port';

const at = new Date('2026-01-01T10:00:00.000Z');
const conversation = {
  _id: 'conv-1', tenantId: 't1', region: 'eu', channel: 'web', accountId: 'site', customerId: 'cust-1', channelUserId: 'u1', state: 'queued', language: 'pt',
  lastMessageAt: at, createdAt: at, updatedAt: at, version: 1,
} as ConversationDoc;
const entry = {
  _id: 'conv-1:1', tenantId: 't1', conversationId: 'conv-1', version: 1, since: at, at, cause: 'in-7',
  handoff: { at, messageId: 'in-7', reasons: [{ code: 'unsatisfied_turns', detail: '3 turns' }, { code: 'negative_sentiment', detail: 'angry' }], summary: { text: 'summary' } },
} as unknown as OwnershipClaimDoc;
const result = { messageId: 'in-7', language: 'pt' } as AiResult;

/** One HandOffUseCase with recording fakes; each test overrides what it looks at. */
function newHandOff(over: { standing?: Standing } = {}) {
  const published: { topic: string; event: CloudEvent }[] = [];
  const notices: OutgoingText[] = [];
  const commits: { next: Ownership; extras: ClaimExtras }[] = [];
  const publisher = { publish: async (topic: string, e: CloudEvent) => void published.push({ topic, event: e }) } as unknown as EventPublisher;
  const store = {
    commit: async (_c: ConversationDoc, next: Ownership, extras: ClaimExtras) => {
      commits.push({ next, extras });
      return { ...entry, ...extras, version: next.version };
    },
  } as unknown as OwnershipStore;
  const useCase = new HandOffUseCase(
    store,
    { emit: async () => undefined } as unknown as ConversationEvents,
    { send: async (_c: ConversationDoc, out: OutgoingText) => void notices.push(out) } as unknown as CustomerMessages,
    { dispatch: async () => undefined, groupFor: async () => 'support' } satisfies QueueDispatcher,
    new AiOutcomes(publisher),
    { of: async () => over.standing ?? { vip: false, priority: 0 } } as unknown as CustomerStanding,
  );
  return { useCase, published, notices, commits };
}

describe('HandOffUseCase.execute', () => {
  it('queues with the customer’s standing (VIP, priority, last agent) so the dispatcher serves and routes by it', async () => {
    const lastAgentAt = new Date('2025-12-30T09:00:00.000Z');
    const { useCase, commits } = newHandOff({ standing: { vip: true, priority: 7, lastAgentId: 'kim', lastAgentAt } });
    await useCase.execute(
      { conversation: { ...conversation, state: 'bot' }, ownership: { state: 'bot', version: 0, since: at }, result, turns: [] as BotTurnDoc[], reasons: [{ code: 'customer_requested', detail: 'asked' }] },
      at,
    );
    expect(commits).toHaveLength(1);
    expect(commits[0]?.next).toMatchObject({ state: 'queued', groupId: 'support' });
    expect(commits[0]?.extras.queue).toEqual({ vip: true, priority: 7, lastAgentId: 'kim', lastAgentAt, firstQueuedAt: at });
  });
});

describe('HandOffUseCase.announce', () => {
  it('reports the handoff, with its reason codes, as the outcome of the prediction that caused it — the same event on a redelivery', async () => {
    const { useCase, published, notices } = newHandOff();
    await useCase.announce(conversation, entry, result);
    await useCase.announce(conversation, entry, result);
    const outcomes = published.filter((p) => p.topic === TOPICS.aiOutcome).map((p) => p.event as CloudEvent<AiOutcome>);
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]?.id).toBe(outcomes[1]?.id);
    expect(outcomes[0]?.data).toEqual({
      tenantId: 't1', region: 'eu', channel: 'web', accountId: 'site', conversationId: 'conv-1',
      outcome: 'handed_off', messageId: 'in-7', reasons: ['unsatisfied_turns', 'negative_sentiment'], at: at.toISOString(),
    });
    expect(notices).toHaveLength(2);
  });
});
