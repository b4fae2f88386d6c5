import { AiRequest, CloudEvent, ConversationEvent, InboundMessage, TOPICS, channelEventId, createEvent, derivedId } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import type {
  ConversationDoc, ConversationRepository, CustomerRepository, MessageDoc, MessageRepository,
} from '@omni/persistence';
import type { Ownership } from '@omni/routing';
import { ConversationEvents } from '../conversations/conversation-events';
import type { OwnershipStore } from '../conversations/ownership.store';
import type { AfterResolution } from './after-resolution';
import type { ConversationOpening } from './conversation-opening';
import type { CustomerReactions } from './customer-reactions';
import { ReceiveInboundUseCase } from './receive-inbound.use-case';
import type { RegionDirectory } from '../regions/region-directory';

type ConversationPort = Pick<ConversationRepository, 'openOrTouch' | 'get'>;
type MessagePort = Pick<MessageRepository, 'insert' | 'get' | 'history'>;

/** In-memory conversations: opened in state bot, like the repository's upsert. */
class FakeConversations implements ConversationPort {
  readonly docs = new Map<string, ConversationDoc>();

  async openOrTouch(c: Parameters<ConversationRepository['openOrTouch']>[0], at: Date): Promise<{ conversation: ConversationDoc; created: boolean }> {
    const existing = this.docs.get(c._id);
    if (existing) {
      existing.lastMessageAt = at;
      return { conversation: { ...existing }, created: false };
    }
    const doc: ConversationDoc = { ...c, state: 'bot', version: 0, lastMessageAt: at, lastInboundAt: at, createdAt: at, updatedAt: at };
    this.docs.set(c._id, doc);
    return { conversation: { ...doc }, created: true };
  }

  async get(id: string): Promise<ConversationDoc | null> {
    return this.docs.get(id) ?? null;
  }
}

/** In-memory messages with the unique key of the real collection: a second insert of an id is a no-op. */
class FakeMessages implements MessagePort {
  readonly docs = new Map<string, MessageDoc>();
  inserts = 0;

  async insert(m: Parameters<MessageRepository['insert']>[0]): Promise<{ message: MessageDoc; created: boolean }> {
    this.inserts++;
    const existing = this.docs.get(m._id);
    if (existing) return { message: existing, created: false };
    const doc: MessageDoc = { ...m, statusRank: 0, statusHistory: [], createdAt: new Date() };
    this.docs.set(m._id, doc);
    return { message: doc, created: true };
  }

  async get(id: string): Promise<MessageDoc | null> {
    return this.docs.get(id) ?? null;
  }

  historyReads = 0;

  async history(conversationId: string, limit: number): Promise<MessageDoc[]> {
    this.historyReads++;
    return [...this.docs.values()]
      .filter((m) => m.conversationId === conversationId)
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime())
      .slice(-limit);
  }
}

/** The ownership log, faked: the owner a test sets, else the bot that opened the conversation. */
function fakeOwnership(owners: Map<string, Ownership['state']>, reads: string[]): OwnershipStore {
  const since = new Date(0);
  const of = (state: Ownership['state']): Ownership => {
    switch (state) {
      case 'bot': return { state, version: 0, since };
      case 'queued': return { state, version: 1, since, firstQueuedAt: since, groupId: 'g1', reason: 'test' };
      case 'assigned': return { state, version: 1, since, agentId: 'a1', groupId: 'g1' };
      case 'resolved': return { state, version: 1, since, resolvedBy: 'agent' };
    }
  };
  return { current: async (c: ConversationDoc) => { reads.push(c._id); return { ownership: of(owners.get(c._id) ?? 'bot'), entry: null }; } } as unknown as OwnershipStore;
}

/** What the use case needs besides the stores, for tests that are not about it: nothing happens. */
const stayResolved = { handle: async (_c: ConversationDoc, owner: Ownership) => owner } as unknown as AfterResolution;
const noFlowVariants = { experimentsFor: async () => [], opened: async () => undefined } as unknown as ConversationOpening;
const reactionsIgnored = { handle: async () => 'ignored' } as unknown as CustomerReactions;

/** The region directory, faked: this region acts for every tenant unless a test names it active elsewhere. */
function fakeRegions(activeElsewhere: Set<string>, held: string[]): RegionDirectory {
  return {
    mayAct: (tenantId: string) => !activeElsewhere.has(tenantId),
    holdPending: async (e: CloudEvent<InboundMessage>) => { held.push(e.id); },
  } as unknown as RegionDirectory;
}

function setup(opts: { failAiPublishOnce?: boolean; reactions?: CustomerReactions; afterResolution?: AfterResolution; historyTurns?: number } = {}) {
  const activeElsewhere = new Set<string>();
  const held: string[] = [];
  const owners = new Map<string, Ownership['state']>();
  const ownershipReads: string[] = [];
  const conversations = new FakeConversations();
  const messages = new FakeMessages();
  const upserts: Parameters<CustomerRepository['upsert']>[0][] = [];
  const customers: CustomerRepository = { upsert: async (c) => { upserts.push(c); return 'cust'; }, get: async () => null, getMany: async () => [], search: async () => [] };
  const published: { topic: string; event: CloudEvent }[] = [];
  let failNext = opts.failAiPublishOnce ?? false;
  const publisher = {
    publish: async (topic: string, events: CloudEvent | CloudEvent[]) => {
      if (topic === TOPICS.aiRequest && failNext) {
        failNext = false;
        throw new Error('broker down');
      }
      for (const event of Array.isArray(events) ? events : [events]) published.push({ topic, event });
    },
  } as unknown as EventPublisher;
  const useCase = new ReceiveInboundUseCase(
    customers, conversations as unknown as ConversationRepository, messages as unknown as MessageRepository, publisher, new ConversationEvents(publisher), fakeOwnership(owners, ownershipReads),
    opts.afterResolution ?? stayResolved, noFlowVariants, opts.reactions ?? reactionsIgnored, fakeRegions(activeElsewhere, held), { ROUTER_AI_HISTORY_TURNS: opts.historyTurns ?? 10 },
  );
  const on = (topic: string) => published.filter((p) => p.topic === topic).map((p) => p.event);
  const aiRequests = () => on(TOPICS.aiRequest) as CloudEvent<AiRequest>[];
  const conversationEvents = () => on(TOPICS.conversation) as CloudEvent<ConversationEvent>[];
  return { useCase, conversations, owners, ownershipReads, messages, upserts, aiRequests, conversationEvents, activeElsewhere, held };
}

let seq = 0;
function inbound(text: string | undefined, opts: { channelMessageId?: string; at?: string; type?: InboundMessage['message']['type']; conversationId?: string } = {}): CloudEvent<InboundMessage> {
  const channelMessageId = opts.channelMessageId ?? `wamid.${++seq}`;
  const conversationId = opts.conversationId ?? 'conv-1';
  return createEvent({
    type: 'omni.message.received.v1',
    id: channelEventId('whatsapp', 'acc-1', channelMessageId),
    source: '/channels/whatsapp/acc-1',
    subject: conversationId,
    tenantId: 't1',
    region: 'eu',
    data: {
      tenantId: 't1', region: 'eu', channel: 'whatsapp', accountId: 'acc-1', conversationId,
      customer: { channelUserId: '34600111222', displayName: 'Ana', locale: 'es-ES' },
      message: { channelMessageId, direction: 'inbound', type: opts.type ?? 'text', text, attachments: [], timestamp: opts.at ?? '2025-05-05T10:00:00.000Z' },
    },
  });
}

describe('ReceiveInboundUseCase', () => {
  it('keeps the warm copy but neither asks the AI nor opens anything while another region is active for the tenant (ADR 0300)', async () => {
    const s = setup();
    s.activeElsewhere.add('t1');
    const e = inbound('hola', { channelMessageId: 'wamid.F' });
    await s.useCase.execute(e);

    expect(s.messages.docs.get(e.id)).toMatchObject({ direction: 'inbound', text: 'hola' });
    expect(s.conversations.docs.get('conv-1')).toMatchObject({ tenantId: 't1' });
    expect(s.aiRequests()).toEqual([]);
    expect(s.held).toEqual([e.id]);

    // Taken over: the same event replayed asks the AI, once.
    s.activeElsewhere.delete('t1');
    await s.useCase.execute(e);
    expect(s.aiRequests().map((r) => r.id)).toEqual([derivedId(e.id, 'ai-request')]);
    expect(s.held).toEqual([e.id]);
  });

  it('on first delivery opens the conversation, stores the message once and asks the AI once', async () => {
    const s = setup();
    const e = inbound('hola', { channelMessageId: 'wamid.A' });
    await s.useCase.execute(e);

    expect(s.conversations.docs.get('conv-1')).toMatchObject({ state: 'bot', tenantId: 't1', channelUserId: '34600111222' });
    expect(s.upserts).toEqual([expect.objectContaining({ tenantId: 't1', channel: 'whatsapp', accountId: 'acc-1', channelUserId: '34600111222', displayName: 'Ana' })]);
    expect([...s.messages.docs.keys()]).toEqual([e.id]);
    expect(s.messages.docs.get(e.id)).toMatchObject({ direction: 'inbound', channelMessageId: 'wamid.A', text: 'hola', author: { kind: 'customer', name: 'Ana' } });
    expect(s.conversationEvents().map((c) => c.data.kind)).toEqual(['opened', 'message']);

    const [ai] = s.aiRequests();
    expect(s.aiRequests()).toHaveLength(1);
    expect(ai.id).toBe(derivedId(e.id, 'ai-request'));
    expect(ai.subject).toBe('conv-1');
    expect(ai.data).toMatchObject({ messageId: e.id, text: 'hola', messageType: 'text', customerLocale: 'es-ES', conversationId: 'conv-1', history: [] });
    // The facts the reply step answers from, handed back by the worker (it reads nothing back).
    const stored = s.conversations.docs.get('conv-1')!;
    expect(ai.data.conversation).toEqual({
      opened: true, inboundChannelMessageId: 'wamid.A', inboundAt: e.data.message.timestamp,
      customerId: stored.customerId, channelUserId: '34600111222', state: 'bot', createdAt: stored.createdAt.toISOString(), version: 0,
      bot: { version: 0, since: stored.createdAt.toISOString() },
    });
  });

  it('drops a message written before the customer’s erasure (a redelivery or a replayed dead letter): nothing comes back', async () => {
    const s = setup();
    const at = new Date('2025-05-05T10:00:00.000Z');
    const erasedConversation: ConversationDoc = {
      _id: 'conv-1', tenantId: 't1', region: 'eu', channel: 'whatsapp', accountId: 'acc-1', customerId: 'erased-1', channelUserId: 'erased', state: 'bot', version: 0,
      lastMessageAt: at, createdAt: at, updatedAt: at, erasedAt: new Date('2025-05-06T00:00:00.000Z'),
    };
    s.conversations.openOrTouch = async () => ({ conversation: erasedConversation, created: false, erased: true });
    await s.useCase.execute(inbound('my passport number is X1234567'));
    expect(s.messages.docs.size).toBe(0);
    expect(s.upserts).toEqual([]);
    expect(s.aiRequests()).toEqual([]);
    expect(s.conversationEvents()).toEqual([]);
  });

  it('marks an email whose sender passed DMARC as such, and only an email (workflows act on it, ADR 0226)', async () => {
    const cases: [InboundMessage['channel'], Record<string, boolean> | undefined, boolean | undefined][] = [
      ['email', { senderVerified: true }, true], ['email', { senderVerified: false }, undefined], ['email', undefined, undefined], ['whatsapp', { senderVerified: true }, undefined],
    ];
    for (const [channel, meta, expected] of cases) {
      const s = setup();
      const e = inbound('hi');
      e.data.channel = channel;
      if (meta) e.data.message.meta = meta;
      await s.useCase.execute(e);
      expect(s.messages.docs.get(e.id)?.senderVerified).toBe(expected);
    }
  });

  it('stores a reaction and hands it to the reactions, without asking the AI or reopening a resolved conversation', async () => {
    const handled: [string, string | undefined][] = [];
    const reactions = { handle: async (m: InboundMessage, id: string) => { handled.push([id, m.message.reaction?.emoji]); return 'recorded'; } } as unknown as CustomerReactions;
    const reopened: string[] = [];
    const afterResolution = { handle: async (_c: ConversationDoc, owner: Ownership, id: string) => { reopened.push(id); return owner; } } as unknown as AfterResolution;
    for (const owner of ['bot', 'resolved'] as const) {
      const s = setup({ reactions, afterResolution });
      s.owners.set('conv-1', owner);
      const e = inbound(undefined, { type: 'reaction' });
      e.data.message.reaction = { emoji: '👎', targetMessageId: 'wamid.bot-reply' };
      await s.useCase.execute(e);
      expect(s.messages.docs.get(e.id)).toMatchObject({ type: 'reaction' });
      expect(s.aiRequests()).toHaveLength(0);
      expect(handled.at(-1)).toEqual([e.id, '👎']);
    }
    expect(handled).toHaveLength(2);
    expect(reopened).toEqual([]);
    // A text message to the resolved conversation does go through the after-resolution path.
    const s = setup({ reactions, afterResolution });
    await s.useCase.execute(inbound('hi'));
    s.owners.set('conv-1', 'resolved');
    s.conversations.docs.get('conv-1')!.state = 'resolved';
    const text = inbound('thanks again', { at: '2025-05-05T10:01:00.000Z' });
    await s.useCase.execute(text);
    expect(reopened).toEqual([text.id]);
  });

  it('stores nothing new on a redelivery and re-publishes the AI request under the same id', async () => {
    const s = setup();
    const e = inbound('hola');
    await s.useCase.execute(e);
    await s.useCase.execute(e);

    expect(s.messages.docs.size).toBe(1);
    expect(s.upserts).toHaveLength(1);
    // opened/message events are announced once; only the AI request is produced again (deduped downstream by id)
    expect(s.conversationEvents().map((c) => c.data.kind)).toEqual(['opened', 'message']);
    const ids = s.aiRequests().map((a) => a.id);
    expect(ids).toEqual([derivedId(e.id, 'ai-request'), derivedId(e.id, 'ai-request')]);
  });

  it('still asks the AI when it crashed after storing but before publishing (the crash window)', async () => {
    const s = setup({ failAiPublishOnce: true });
    const e = inbound('where is my order');
    await expect(s.useCase.execute(e)).rejects.toThrow('broker down');
    expect(s.messages.docs.size).toBe(1);
    expect(s.aiRequests()).toHaveLength(0);

    await s.useCase.execute(e);
    expect(s.messages.docs.size).toBe(1);
    expect(s.aiRequests().map((a) => a.id)).toEqual([derivedId(e.id, 'ai-request')]);
  });

  it.each(['queued', 'assigned', 'resolved'] as const)('stores the message but does not ask the AI while the conversation is %s', async (state) => {
    const s = setup();
    await s.useCase.execute(inbound('hi'));
    s.conversations.docs.get('conv-1')!.state = state;
    s.owners.set('conv-1', state);
    const second = inbound('are you there?', { at: '2025-05-05T10:01:00.000Z' });
    await s.useCase.execute(second);

    expect(s.messages.docs.has(second.id)).toBe(true);
    expect(s.aiRequests()).toHaveLength(1);
    expect(s.conversationEvents().at(-1)?.data).toMatchObject({ kind: 'message', state, messageId: second.id });
  });

  it('reads the history for a known conversation, not for the message that opened it, and the ownership log for neither while the bot holds it', async () => {
    const s = setup();
    await s.useCase.execute(inbound('hi'));
    expect([s.ownershipReads, s.messages.historyReads]).toEqual([[], 0]);
    await s.useCase.execute(inbound('hello?', { at: '2025-05-05T10:01:00.000Z' }));
    // The copy says the bot's: the reply step's gate reads the log before the bot speaks (ADR 0011, eighth step).
    expect([s.ownershipReads, s.messages.historyReads]).toEqual([[], 1]);
    expect(s.aiRequests().map((a) => [a.data.conversation?.opened, a.data.history.map((h) => h.text)])).toEqual([[true, []], [undefined, ['hi']]]);
    // Any other state of the copy is read from the log.
    s.conversations.docs.get('conv-1')!.state = 'queued';
    await s.useCase.execute(inbound('anyone?', { at: '2025-05-05T10:02:00.000Z' }));
    expect(s.ownershipReads).toEqual(['conv-1']);
  });

  it('reads the ownership log while the message is being stored, and asks the AI only once both are done', async () => {
    const s = setup();
    await s.useCase.execute(inbound('hi'));
    // A copy that is not the bot's is read from the log (here the log says the bot's again).
    s.conversations.docs.get('conv-1')!.state = 'queued';
    let release!: () => void;
    const stored = new Promise<void>((r) => { release = r; });
    const insert = s.messages.insert.bind(s.messages);
    s.messages.insert = async (m) => { await stored; return insert(m); };
    const run = s.useCase.execute(inbound('hello?', { at: '2025-05-05T10:01:00.000Z' }));
    await new Promise((r) => setImmediate(r));
    expect(s.ownershipReads).toEqual(['conv-1']);
    expect(s.aiRequests()).toHaveLength(1);
    release();
    await run;
    expect(s.aiRequests()).toHaveLength(2);
  });

  it('sends no history and reads none when no turns are asked for (the default: no engine reads them)', async () => {
    const s = setup({ historyTurns: 0 });
    await s.useCase.execute(inbound('hi'));
    await s.useCase.execute(inbound('hello?', { at: '2025-05-05T10:01:00.000Z' }));
    expect(s.messages.historyReads).toBe(0);
    expect(s.aiRequests().map((a) => a.data.history)).toEqual([[], []]);
    // The bot's period (the copy's, while it says the bot's) travels with the request for the reply step's gate.
    expect(s.ownershipReads).toEqual([]);
    expect(s.aiRequests().map((a) => a.data.conversation?.bot?.version)).toEqual([0, 0]);
  });

  it('tells the next stages that the fresh lane handled a message (ADR 0012), and nothing otherwise', async () => {
    const s = setup();
    await s.useCase.execute(inbound('hi'), { lane: 'fresh' });
    await s.useCase.execute(inbound('hello?', { at: '2025-05-05T10:01:00.000Z' }));
    expect(s.aiRequests().map((a) => a.data.conversation?.fresh)).toEqual([true, undefined]);
    // The mark the later stages' lanes read: a header with the customer message's time.
    expect(s.aiRequests().map((a) => a.freshat)).toEqual(['2025-05-05T10:00:00.000Z', undefined]);
  });

  it('marks a newcomer that reached this stage with no backlog behind it, for the later stages that may have one (ADR 0012)', async () => {
    const s = setup();
    // A first message near the partition's head: marked, though the ordered lane ran it.
    await s.useCase.execute(inbound('hi', { conversationId: 'conv-new' }), { lane: 'ordered', behind: 2 });
    // A first message at the front of a backlog: one of the backlog's, not marked.
    await s.useCase.execute(inbound('hi', { conversationId: 'conv-burst' }), { lane: 'ordered', behind: 500 });
    // A later message of a conversation, even with nothing behind it: not a newcomer.
    await s.useCase.execute(inbound('and my order?', { conversationId: 'conv-new', at: '2025-05-05T10:01:00.000Z' }), { lane: 'ordered', behind: 0 });
    expect(s.aiRequests().map((a) => [a.data.conversationId, a.data.conversation?.fresh, a.freshat])).toEqual([
      ['conv-new', true, '2025-05-05T10:00:00.000Z'], ['conv-burst', undefined, undefined], ['conv-new', undefined, undefined],
    ]);
  });

  it('lets the ownership log, not a copy that says someone else holds it, decide whether the bot answers', async () => {
    const s = setup();
    await s.useCase.execute(inbound('hi'));
    const copy = s.conversations.docs.get('conv-1')!;
    // A copy left behind the log (someone's claim lost its projection): the log says the bot's again.
    Object.assign(copy, { state: 'assigned', agentId: 'a1', version: 1 });
    await s.useCase.execute(inbound('hello?', { at: '2025-05-05T10:01:00.000Z' }));
    expect(s.aiRequests()).toHaveLength(2);
    // The log says an agent's: the bot stays silent.
    s.owners.set('conv-1', 'assigned');
    await s.useCase.execute(inbound('still there?', { at: '2025-05-05T10:02:00.000Z' }));
    expect(s.aiRequests()).toHaveLength(2);
    expect(s.ownershipReads).toEqual(['conv-1', 'conv-1']);
  });

  it('asks the AI within the period of a copy that says the bot holds it: a claim since is the reply step\'s gate to catch', async () => {
    const s = setup();
    await s.useCase.execute(inbound('hi'));
    Object.assign(s.conversations.docs.get('conv-1')!, { version: 3 });
    s.owners.set('conv-1', 'assigned');
    await s.useCase.execute(inbound('hello?', { at: '2025-05-05T10:01:00.000Z' }));
    expect(s.ownershipReads).toEqual([]);
    expect(s.aiRequests().at(-1)?.data.conversation?.bot?.version).toBe(3);
  });

  it('does not reopen or re-upsert the customer for a later message, and passes the known language', async () => {
    const s = setup();
    await s.useCase.execute(inbound('hola'));
    s.conversations.docs.get('conv-1')!.language = 'es';
    await s.useCase.execute(inbound('gracias', { at: '2025-05-05T10:02:00.000Z' }));

    expect(s.upserts).toHaveLength(1);
    expect(s.conversationEvents().map((c) => c.data.kind)).toEqual(['opened', 'message', 'message']);
    expect(s.aiRequests().at(-1)?.data.previousLanguage).toBe('es');
  });

  it('sends the last ten turns with text, oldest first, with roles, and without the message itself', async () => {
    const s = setup();
    await s.useCase.execute(inbound('the opening message', { at: '2025-05-05T08:00:00.000Z' }));
    const base = Date.parse('2025-05-05T09:00:00.000Z');
    const put = (i: number, kind: MessageDoc['author']['kind'], text?: string) =>
      s.messages.docs.set(`h${i}`, {
        _id: `h${i}`, tenantId: 't1', conversationId: 'conv-1', channel: 'whatsapp', accountId: 'acc-1', channelMessageId: `h${i}`,
        direction: kind === 'customer' ? 'inbound' : 'outbound', author: { kind }, type: 'text', text, attachments: [],
        timestamp: new Date(base + i * 1_000), createdAt: new Date(), statusRank: 0, statusHistory: [],
      });
    put(0, 'customer', 'too old');
    for (let i = 1; i <= 9; i++) put(i, i % 3 === 0 ? 'agent' : i % 2 ? 'customer' : 'bot', `turn ${i}`);
    put(10, 'system', 'a system note');
    const e = inbound('latest', { at: '2025-05-05T09:59:00.000Z' });
    await s.useCase.execute(e);

    const history = s.aiRequests()[1].data.history;
    expect(history.map((h) => h.text)).toEqual(['turn 1', 'turn 2', 'turn 3', 'turn 4', 'turn 5', 'turn 6', 'turn 7', 'turn 8', 'turn 9', 'a system note']);
    expect(history.slice(0, 3).map((h) => h.role)).toEqual(['customer', 'bot', 'agent']);
    expect(history.at(-1)?.role).toBe('bot');
    expect(history.some((h) => h.text === 'latest')).toBe(false);
  });

  it('takes the history from the stored messages, the bot’s answers included, each turn once', async () => {
    const s = setup();
    await s.useCase.execute(inbound('hello', { at: '2025-05-05T10:00:00.000Z' }));
    // What the replies path stores (CustomerMessages) for the bot's answer.
    await s.messages.insert({
      _id: 'bot-1', tenantId: 't1', conversationId: 'conv-1', channel: 'whatsapp', accountId: 'acc-1', channelMessageId: 'bot-1', direction: 'outbound',
      author: { kind: 'bot', id: 'omni-nlu:demo' }, type: 'text', text: 'Hi! How can I help?', attachments: [], timestamp: new Date('2025-05-05T10:00:00.500Z'),
    });
    const again = inbound('where is my order?', { at: '2025-05-05T10:00:01.000Z' });
    await s.useCase.execute(again);
    await s.useCase.execute(again); // a redelivery stores nothing twice
    expect(s.aiRequests().map((a) => a.data.history)).toEqual([
      [],
      [{ role: 'customer', text: 'hello' }, { role: 'bot', text: 'Hi! How can I help?' }],
      [{ role: 'customer', text: 'hello' }, { role: 'bot', text: 'Hi! How can I help?' }],
    ]);
  });

  it('leaves turns without text out of the history', async () => {
    const s = setup();
    await s.useCase.execute(inbound(undefined, { type: 'image', at: '2025-05-05T10:00:00.000Z' }));
    await s.useCase.execute(inbound('hello', { at: '2025-05-05T10:00:01.000Z' }));
    await s.useCase.execute(inbound('anyone?', { at: '2025-05-05T10:00:02.000Z' }));
    expect(s.aiRequests().map((a) => a.data.history.map((h) => h.text))).toEqual([[], [], ['hello']]);
  });

  it('asks the AI with empty text about a message without text', async () => {
    const s = setup();
    await s.useCase.execute(inbound(undefined, { type: 'sticker' }));
    expect(s.aiRequests()[0].data).toMatchObject({ text: '', messageType: 'sticker' });
    expect(s.aiRequests()[0].data.attachments).toBeUndefined();
  });

  it('passes a voice note’s attachment (with its media-store id) to the AI worker, which may transcribe it', async () => {
    const s = setup();
    const e = inbound(undefined, { type: 'audio' });
    const voice = { kind: 'audio' as const, mime: 'audio/ogg', mediaId: 'wa-media-1', storeId: 'a'.repeat(64) };
    e.data.message.attachments = [voice];
    await s.useCase.execute(e);
    expect(s.aiRequests()[0].data).toMatchObject({ text: '', messageType: 'audio', attachments: [voice] });
  });
});
