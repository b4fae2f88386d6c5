import { ConversationEvent, TOPICS, createEvent } from '@omni/contracts';
import type { MessagingLifecycle, SubscriptionOptions } from '@omni/messaging';
import { ConversationFeed } from './conversation-feed';

function newTestFeed() {
  const subscriptions: SubscriptionOptions[] = [];
  const messaging = { subscribe: async (o: SubscriptionOptions) => { subscriptions.push(o); return {}; } } as unknown as MessagingLifecycle;
  return { feed: new ConversationFeed(messaging), subscriptions };
}

const changed = (tenantId: string, conversationId: string): ConversationEvent => ({
  tenantId, region: 'local', channel: 'web', accountId: 'web-1', conversationId, kind: 'message', state: 'bot', messageId: 'm1', direction: 'inbound', at: new Date().toISOString(),
});

describe('ConversationFeed', () => {
  it('starts live: a new process does not replay the retained conversation events to its clients', async () => {
    const { feed, subscriptions } = newTestFeed();
    await feed.onApplicationBootstrap();
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]).toMatchObject({ topics: [TOPICS.conversation], fromBeginning: false });
  });

  it('gives each client its tenant’s events only, of one conversation when asked', async () => {
    const { feed, subscriptions } = newTestFeed();
    await feed.onApplicationBootstrap();
    const seen: string[] = [];
    const sub = feed.of('t1', 'c2').subscribe((e) => seen.push(`${e.tenantId}/${e.conversationId}`));
    for (const [t, c] of [['t1', 'c1'], ['t2', 'c2'], ['t1', 'c2']] as const) {
      const data = changed(t, c);
      await subscriptions[0].handler(createEvent({ type: 'omni.conversation.changed.v1', id: `${t}-${c}`, source: '/router', subject: c, tenantId: t, region: 'local', data }), { topic: TOPICS.conversation, partition: 0, offset: '0', attempt: 0 });
    }
    sub.unsubscribe();
    expect(seen).toEqual(['t1/c2']);
  });

  it('does not validate records while no client listens, and does again once one does', async () => {
    const { feed, subscriptions } = newTestFeed();
    await feed.onApplicationBootstrap();
    const valid = createEvent({ type: 'omni.conversation.changed.v1', id: 'bad', source: '/router', subject: 'c1', tenantId: 't1', region: 'local', data: changed('t1', 'c1') });
    const malformed = { ...valid, data: { tenantId: 't1' } as unknown as ConversationEvent };
    const meta = { topic: TOPICS.conversation, partition: 0, offset: '0', attempt: 0 };
    await expect(subscriptions[0].handler(malformed, meta)).resolves.toBeUndefined();
    const sub = feed.of('t1').subscribe(() => undefined);
    await expect(subscriptions[0].handler(malformed, meta)).rejects.toThrow();
    sub.unsubscribe();
  });
});
