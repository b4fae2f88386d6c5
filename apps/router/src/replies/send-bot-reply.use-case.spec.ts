import { AiOutcome, AiResult, CloudEvent, ConversationEvent, OutboundCommand, TOPICS, createEvent, derivedId, isRetryable, outboundTopic } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import type {
  BotTurnDoc, BotTurnRepository, ConversationDoc, ConversationRepository, MessageDoc, MessageRepository, OwnershipClaimDoc, TenantRepository,
} from '@omni/persistence';
import type { Ownership } from '@omni/routing';
import { AiOutcomes } from '../conversations/ai-outcomes';
import { ConversationEvents } from '../conversations/conversation-events';
import { CustomerMessages } from '../conversations/customer-messages';
import type { OwnershipStore } from '../conversations/ownership.store';
import { TenantSettings } from '../conversations/tenant-settings';
import type { HandOffCommand, HandOffUseCase } from '../handoff/hand-off.use-case';
import { welcomeId } from '../inbound/conversation-opening';
import { CustomerReactions } from '../inbound/customer-reactions';
import type { Workflows } from '../workflows/workflows';
import type { WorkflowOutcome } from '../workflows/run-workflow.use-case';
import { RecentTurns, withTurn } from './recent-turns';
import { SendBotReplyUseCase } from './send-bot-reply.use-case';
import type { PeerSendCheck } from '../regions/peer-send-check';
import type { RegionDirectory } from '../regions/region-directory';

const INBOUND_ID = 'inbound-1';
const REPLY_ID = derivedId(INBOUND_ID, 'bot-reply');
const OUTBOUND = outboundTopic('whatsapp');

function conversation(): ConversationDoc {
  const at = new Date('2025-05-05T10:00:00.000Z');
  return {
    _id: 'conv-1', tenantId: 't1', region: 'eu', channel: 'whatsapp', accountId: 'acc-1', customerId: 'cust-1', channelUserId: '34600111222',
    state: 'bot', language: 'en', lastMessageAt: at, createdAt: at, updatedAt: at, version: 0,
  };
}

function ownershipIn(state: Ownership['state']): Ownership {
  const since = new Date(0);
  switch (state) {
    case 'bot': return { state, version: 0, since };
    case 'queued': return { state, version: 1, since, firstQueuedAt: since, groupId: 'g1', reason: 'human_request' };
    case 'assigned': return { state, version: 2, since, agentId: 'agent-1', groupId: 'g1' };
    case 'resolved': return { state, version: 3, since, resolvedBy: 'agent' };
  }
}

/** For tests that are not about workflows: none is triggered. */
const noWorkflows = { triggered: async () => null } as unknown as Workflows;

/** The region directory, faked: this region acts unless a test says otherwise. */
function fakeRegions(fence: { activeHere: boolean; peerSent: Set<string>; epoch?: number }): RegionDirectory {
  return {
    mayAct: () => fence.activeHere,
    region: 'local-a',
    get: () => (fence.epoch ? { tenantId: 't1', home: 'local-a', standby: 'local-b', active: 'local-a', epoch: fence.epoch, since: new Date(0).toISOString() } : undefined),
  } as unknown as RegionDirectory;
}

/** Replies a peer decided (mirrored, or answered when asked), by id. */
function fakePeerSends(fence: { peerSent: Set<string> }): PeerSendCheck {
  return { decidedByPeer: async (_tenantId: string, _inboundId: string, id: string) => fence.peerSent.has(id) } as unknown as PeerSendCheck;
}

/** `slowTurnWrites`: a turn is stored a moment after its write starts, so a read started beside it misses it. */
function setup(opts: { workflows?: Workflows; slowTurnWrites?: boolean } = {}) {
  const fence = { activeHere: true, peerSent: new Set<string>(), epoch: undefined as number | undefined };
  const conv = conversation();
  const stored = new Map<string, MessageDoc>();
  const calls = { inserts: 0, attachAi: [] as string[], setLanguage: [] as string[], handoffs: [] as HandOffCommand[], announced: [] as OwnershipClaimDoc[], reads: [] as string[] };
  const conversations = {
    get: async (id: string) => { calls.reads.push(`conversation ${id}`); return id === conv._id ? conv : null; },
    setLanguage: async (_id: string, language: string) => { calls.setLanguage.push(language); },
    turnsChanged: async () => { conv.turnsEpoch = (conv.turnsEpoch ?? 0) + 1; },
  } as unknown as ConversationRepository;
  const messages = {
    get: async (id: string) => { calls.reads.push(`message ${id}`); return stored.get(id) ?? null; },
    reactedTo: async (conversationId: string, target: string) =>
      [...stored.values()].find((m) => m.conversationId === conversationId && m.direction === 'outbound' && (m._id === target || m.providerMessageId === target)) ?? null,
    attachAi: async (id: string) => { calls.attachAi.push(id); },
    insert: async (m: Parameters<MessageRepository['insert']>[0]) => {
      calls.inserts++;
      const existing = stored.get(m._id);
      if (existing) return { message: existing, created: false };
      const doc: MessageDoc = { ...m, statusRank: 0, statusHistory: [], createdAt: new Date() };
      stored.set(m._id, doc);
      return { message: doc, created: true };
    },
  } as unknown as MessageRepository;
  const turnDocs = new Map<string, BotTurnDoc>();
  const turns: BotTurnRepository = {
    record: async (t) => {
      if (opts.slowTurnWrites) await new Promise((r) => setImmediate(r));
      if (turnDocs.has(t._id)) return false;
      turnDocs.set(t._id, t);
      return true;
    },
    recent: async (conversationId, ownerVersion, limit) => (calls.reads.push(`turns ${conversationId}`), [...turnDocs.values()]).filter((t) => t.conversationId === conversationId && t.ownerVersion === ownerVersion).slice(-limit),
    setFeedback: async (_tenantId, id, feedback) => { const t = turnDocs.get(id); if (t) t.feedback = feedback; return Boolean(t); },
  };
  const owner = { state: 'bot' as Ownership['state'], entry: null as OwnershipClaimDoc | null, changed: false };
  const ownership = {
    current: async () => { calls.reads.push('ownership log'); return { ownership: ownershipIn(owner.state), entry: owner.entry }; },
    changedSince: async () => { calls.reads.push('ownership gate'); return owner.changed; },
  } as unknown as OwnershipStore;
  const handoff = {
    execute: async (cmd: HandOffCommand) => { calls.handoffs.push(cmd); },
    announce: async (_c: ConversationDoc, entry: OwnershipClaimDoc) => { calls.announced.push(entry); },
  } as unknown as HandOffUseCase;
  const published: { topic: string; event: CloudEvent }[] = [];
  const publisher = {
    publish: async (topic: string, events: CloudEvent | CloudEvent[]) => {
      for (const event of Array.isArray(events) ? events : [events]) published.push({ topic, event });
    },
  } as unknown as EventPublisher;
  const tenants: TenantRepository = { get: async () => null, save: async () => undefined };
  const events = new ConversationEvents(publisher);
  const useCase = new SendBotReplyUseCase(
    conversations, messages, new RecentTurns(turns), ownership, new CustomerMessages(messages, publisher, events, fakeRegions(fence)), new TenantSettings(tenants), handoff, opts.workflows ?? noWorkflows, new AiOutcomes(publisher), fakeRegions(fence),
    fakePeerSends(fence),
  );
  const on = (topic: string) => published.filter((p) => p.topic === topic).map((p) => p.event);
  const reactions = new CustomerReactions(messages, turns, conversations, new AiOutcomes(publisher));
  return {
    useCase, conv, stored, calls, owner, turnDocs, reactions, fence,
    sends: () => on(OUTBOUND) as CloudEvent<OutboundCommand>[],
    conversationEvents: () => on(TOPICS.conversation) as CloudEvent<ConversationEvent>[],
    outcomes: () => on(TOPICS.aiOutcome) as CloudEvent<AiOutcome>[],
  };
}

function result(overrides: Partial<AiResult> = {}): CloudEvent<AiResult> {
  return createEvent({
    type: 'omni.ai.completed.v1', id: derivedId(overrides.messageId ?? INBOUND_ID, 'ai-result'), source: '/ai-worker', subject: 'conv-1', tenantId: 't1', region: 'eu',
    data: {
      tenantId: 't1', region: 'eu', channel: 'whatsapp', accountId: 'acc-1', conversationId: 'conv-1', messageId: INBOUND_ID,
      language: 'en', intent: { name: 'order_status', confidence: 0.9 }, alternatives: [], entities: [],
      answer: { text: 'You can track your order from the link.', articleId: 'faq:order_status' }, abstained: false, reasons: [], engine: 'keyword-v1',
      ...overrides,
    },
  });
}

describe('SendBotReplyUseCase', () => {
  it('sends nothing for a tenant active in another region, nor a reply a peer region already decided (ADR 0300)', async () => {
    const s = setup();
    s.fence.activeHere = false;
    await s.useCase.execute(result());
    expect(s.sends()).toEqual([]);

    s.fence.activeHere = true;
    s.fence.peerSent.add(derivedId(INBOUND_ID, 'bot-reply'));
    await s.useCase.execute(result());
    expect(s.sends()).toEqual([]);

    s.fence.peerSent.clear();
    await s.useCase.execute(result());
    expect(s.sends().map((e) => e.data.messageId)).toEqual([derivedId(INBOUND_ID, 'bot-reply')]);
  });

  it('names the deciding region and the tenant\'s epoch in the send command of a paired tenant, and nothing for an unpaired one (ADR 0300)', async () => {
    const s = setup();
    await s.useCase.execute(result());
    expect(s.sends()[0].data.fence).toBeUndefined();

    const paired = setup();
    paired.fence.epoch = 3;
    await paired.useCase.execute(result());
    expect(paired.sends()[0].data.fence).toEqual({ region: 'local-a', epoch: 3 });
  });

  it('stores the reply under an id derived from the inbound message and sends it once', async () => {
    const s = setup();
    await s.useCase.execute(result());

    expect([...s.stored.keys()]).toEqual([REPLY_ID]);
    expect(s.stored.get(REPLY_ID)).toMatchObject({
      direction: 'outbound', author: { kind: 'bot', id: 'keyword-v1' }, text: 'You can track your order from the link.', replyToMessageId: INBOUND_ID,
      ai: { intent: { name: 'order_status', confidence: 0.9 }, engine: 'keyword-v1' },
    });
    expect(s.sends()).toHaveLength(1);
    const [send] = s.sends();
    expect(send.id).toBe(REPLY_ID);
    expect(send.subject).toBe('conv-1');
    expect(send.data).toMatchObject({ messageId: REPLY_ID, recipient: { channelUserId: '34600111222' }, author: { kind: 'bot' }, message: { type: 'text', text: 'You can track your order from the link.' }, replyToMessageId: INBOUND_ID });
    expect(s.conversationEvents().map((e) => [e.data.kind, e.data.messageId, e.data.direction])).toEqual([['message', REPLY_ID, 'outbound']]);
    expect(s.calls.attachAi).toEqual([INBOUND_ID]);
    expect([...s.turnDocs.keys()]).toEqual([INBOUND_ID]);
    // The prediction's outcome, for the AI worker's prediction log.
    expect(s.outcomes().map((e) => [e.data.outcome, e.data.messageId, e.subject])).toEqual([['answered', INBOUND_ID, 'conv-1']]);
  });

  it('answers from the facts the result hands back, reading neither the conversation nor the inbound message', async () => {
    const s = setup();
    const facts = {
      customerId: 'cust-9', channelUserId: '34600999888', state: 'bot' as const, createdAt: '2025-05-05T10:00:00.000Z', version: 0, language: 'en',
      inboundChannelMessageId: 'wamid.IN', inboundAt: '2025-05-05T10:05:00.000Z',
    };
    await s.useCase.execute(result({ request: { conversation: facts, text: 'where is my order?' } }));
    // The channel's facts travel on the command too: the window, the language, the quoted provider id.
    expect(s.sends()[0].data.context).toEqual({ lastInboundAt: '2025-05-05T10:05:00.000Z', locale: 'en', quotedChannelMessageId: 'wamid.IN' });

    expect(s.sends().map((e) => e.data.recipient.channelUserId)).toEqual(['34600999888']);
    expect(s.turnDocs.get(INBOUND_ID)?.customerText).toBe('where is my order?');
    expect(s.calls.reads).toEqual(['ownership log', 'ownership gate', 'turns conv-1']);
    // Without them (a worker of before), it reads both.
    const old = setup();
    await old.useCase.execute(result());
    expect(old.calls.reads).toEqual(['conversation conv-1', 'ownership log', 'ownership gate', `message ${INBOUND_ID}`, 'turns conv-1']);
  });

  describe('with the bot\'s period read by the inbound step (facts.bot)', () => {
    const facts = { customerId: 'cust-1', channelUserId: '34600111222', state: 'bot' as const, createdAt: '2025-05-05T10:00:00.000Z', version: 0, bot: { version: 0, since: '2025-05-05T10:00:00.000Z' } };

    it('reads the ownership log once, right before the bot speaks', async () => {
      const s = setup();
      await s.useCase.execute(result({ request: { conversation: facts, text: 'where is my order?' } }));
      // The gate's read starts beside the turns' (ADR 0011, seventh step), still before the bot speaks.
      expect(s.calls.reads).toEqual(['ownership gate', 'turns conv-1']);
      expect(s.sends()).toHaveLength(1);
    });

    it('stays silent when someone claimed the conversation since, and finishes the announcements of a handoff this message caused', async () => {
      const s = setup();
      s.owner.changed = true;
      s.owner.state = 'queued';
      s.owner.entry = { _id: 'conv-1:1', tenantId: 't1', conversationId: 'conv-1', version: 1, since: new Date(0), at: new Date(0), cause: INBOUND_ID } as OwnershipClaimDoc;
      await s.useCase.execute(result({ request: { conversation: facts, text: 'where is my order?' } }));
      expect(s.sends()).toHaveLength(0);
      expect(s.calls.announced).toEqual([s.owner.entry]);
      expect(s.calls.reads).toEqual(['ownership gate', 'turns conv-1', 'ownership log']);
    });

    it('runs no workflow for a conversation someone claimed since', async () => {
      const runs: string[] = [];
      const workflows = {
        triggered: async () => ({ id: 'wf-1' }),
        run: async () => { runs.push('wf-1'); return { runId: 'run-1', outcome: { kind: 'answer', text: 'done' } }; },
      } as unknown as Workflows;
      const s = setup({ workflows });
      s.owner.changed = true;
      s.owner.state = 'assigned';
      await s.useCase.execute(result({ request: { conversation: facts, text: 'where is my order?' } }));
      expect(runs).toEqual([]);
      expect(s.sends()).toHaveLength(0);
    });
  });

  it('takes the answer to the opening message as the bot\'s first turn, without reading the turns', async () => {
    const s = setup();
    const facts = {
      opened: true, customerId: 'cust-1', channelUserId: '34600111222', state: 'bot' as const, createdAt: '2025-05-05T10:00:00.000Z', version: 0,
      bot: { version: 0, since: '2025-05-05T10:00:00.000Z' },
    };
    await s.useCase.execute(result({ request: { conversation: facts, text: 'I want a human' }, intent: { name: 'talk_to_human', confidence: 0.9 }, answer: { text: 'I will connect you with a person.' } }));
    // No turn read; only the gate's, started before the rules decided (it was not needed: a handoff).
    expect(s.calls.reads).toEqual(['ownership gate']);
    // The handoff rules still saw the turn: a request for a person on the first message hands off.
    expect(s.calls.handoffs.map((h) => h.turns.map((t) => t._id))).toEqual([[INBOUND_ID]]);
  });

  it('stores one reply on a redelivered result and re-produces the same send command (deduped by messageId)', async () => {
    const s = setup();
    await s.useCase.execute(result());
    await s.useCase.execute(result());

    expect(s.stored.size).toBe(1);
    expect(s.turnDocs.size).toBe(1);
    expect(s.sends().map((e) => e.id)).toEqual([REPLY_ID, REPLY_ID]);
    expect(s.conversationEvents()).toHaveLength(1);
  });

  it.each(['queued', 'assigned', 'resolved'] as const)('stays silent while the conversation is %s', async (state) => {
    const s = setup();
    s.owner.state = state;
    await s.useCase.execute(result());

    expect(s.calls.inserts).toBe(0);
    expect(s.sends()).toHaveLength(0);
    expect(s.conversationEvents()).toHaveLength(0);
    expect(s.turnDocs.size).toBe(0);
    expect(s.calls.announced).toHaveLength(0);
    // what the bot understood is still kept on the inbound message
    expect(s.calls.attachAi).toEqual([INBOUND_ID]);
  });

  it('finishes the announcements when the result that caused the handoff is redelivered', async () => {
    const s = setup();
    s.owner.state = 'queued';
    s.owner.entry = { _id: 'conv-1:1', tenantId: 't1', conversationId: 'conv-1', version: 1, since: new Date(0), at: new Date(0), cause: INBOUND_ID } as OwnershipClaimDoc;
    await s.useCase.execute(result());
    expect(s.calls.announced).toEqual([s.owner.entry]);
    expect(s.sends()).toHaveLength(0);
  });

  it('stays silent when someone claimed the conversation after the bot read it', async () => {
    const s = setup();
    s.owner.changed = true;
    await s.useCase.execute(result());
    expect(s.sends()).toHaveLength(0);
    expect(s.stored.size).toBe(0);
  });

  it('hands off instead of answering when the customer asks for a person', async () => {
    const s = setup();
    await s.useCase.execute(result({ intent: { name: 'talk_to_human', confidence: 0.9 }, answer: { text: 'I will connect you with a person.' } }));
    expect(s.calls.handoffs).toHaveLength(1);
    expect(s.calls.handoffs[0]).toMatchObject({ conversation: { _id: 'conv-1' }, ownership: { state: 'bot' }, result: { messageId: INBOUND_ID } });
    expect(s.calls.handoffs[0].reasons.length).toBeGreaterThan(0);
    expect(s.sends()).toHaveLength(0);
    expect(s.outcomes()).toHaveLength(0); // the handoff reports its own outcome (HandOffUseCase.announce)
  });

  it('records the turn but sends nothing when the AI has no answer', async () => {
    const s = setup();
    await s.useCase.execute(result({ answer: null, abstained: true, intent: null }));
    expect(s.turnDocs.size).toBe(1);
    expect(s.sends()).toHaveLength(0);
    expect(s.outcomes()).toHaveLength(0);
  });

  it('keeps a voice note’s transcript with the AI reading and as the turn’s customer text (the agent’s summary shows it)', async () => {
    const s = setup();
    await s.useCase.execute(result({ transcript: 'where is my order?' }));
    expect(s.turnDocs.get(INBOUND_ID)?.customerText).toBe('where is my order?');
    expect(s.stored.get(REPLY_ID)?.ai).toMatchObject({ transcript: 'where is my order?' });
  });

  it('remembers a new language of the conversation', async () => {
    const s = setup();
    await s.useCase.execute(result({ language: 'es' }));
    await s.useCase.execute(result({ language: 'en' }));
    expect(s.calls.setLanguage).toEqual(['es']);
  });

  it('counts the turn being stored when the turns read beside its write misses it: the third unsure turn hands off', async () => {
    const s = setup({ slowTurnWrites: true });
    const unsure = { intent: { name: 'order_status', confidence: 0.2 }, answer: { text: 'Could you rephrase?' } };
    for (const id of ['in-1', 'in-2']) await s.useCase.execute(result({ messageId: id, ...unsure }));
    expect(s.calls.handoffs).toHaveLength(0);
    await s.useCase.execute(result({ messageId: 'in-3', ...unsure }));
    expect(s.calls.handoffs.map((h) => h.turns.map((t) => t._id))).toEqual([['in-1', 'in-2', 'in-3']]);
  });

  it('merges the turn being stored into the turns read beside it: once, in its place, the last `limit` kept', () => {
    const t = (id: string) => ({ _id: id }) as BotTurnDoc;
    expect(withTurn([t('a'), t('b')], t('c'), 5).map((x) => x._id)).toEqual(['a', 'b', 'c']);
    expect(withTurn([t('a'), t('b'), t('c')], t('c'), 5).map((x) => x._id)).toEqual(['a', 'b', 'c']);
    // A redelivered result's turn is already stored, before later ones: it stays where it is.
    expect(withTurn([t('a'), t('b'), t('c')], t('b'), 5).map((x) => x._id)).toEqual(['a', 'b', 'c']);
    expect(withTurn([t('a'), t('b'), t('c')], t('d'), 3).map((x) => x._id)).toEqual(['b', 'c', 'd']);
  });

  it('fails retryably for a conversation it does not know yet (results can overtake the inbound record)', async () => {
    const s = setup();
    const err: unknown = await s.useCase.execute(result({ conversationId: 'conv-unknown' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isRetryable(err)).toBe(true);
    expect(s.sends()).toHaveLength(0);
  });
});

describe('SendBotReplyUseCase with flow variants and workflows', () => {
  const unsure = { intent: { name: 'order_status', confidence: 0.2 }, answer: { text: 'Could you rephrase?' } };

  it('applies the variant’s handoff threshold: 1 hands off on the first unsatisfied turn, the tenant’s 3 does not', async () => {
    const strict = setup();
    strict.conv.experiments = [{ experimentId: 'e1', variantId: 'strict', params: { handoffThreshold: 1 } }];
    await strict.useCase.execute(result(unsure));
    expect(strict.calls.handoffs.map((h) => h.reasons.map((r) => r.code))).toEqual([['unsatisfied_turns']]);
    expect(strict.sends()).toHaveLength(0);

    const control = setup();
    await control.useCase.execute(result(unsure));
    expect(control.calls.handoffs).toHaveLength(0);
    expect(control.sends().map((e) => e.data.message.text)).toEqual(['Could you rephrase?']);
  });

  it('counts the customer’s 👎 reactions to earlier answers as unsatisfied turns: the third turn hands off', async () => {
    const react = (s: ReturnType<typeof setup>, inbound: string, emoji: string, n: number) => {
      const reply = derivedId(inbound, 'bot-reply');
      // The provider's id of our reply, folded in by its `sent` status, is what a reaction names.
      const stored = s.stored.get(reply);
      if (stored) stored.providerMessageId = `wamid.${n}`;
      return s.reactions.handle(
        {
          tenantId: 't1', region: 'eu', channel: 'whatsapp', accountId: 'acc-1', conversationId: 'conv-1', customer: { channelUserId: '34600111222' },
          message: { channelMessageId: `reaction-${n}`, type: 'reaction', timestamp: '2025-05-05T10:05:00.000Z', attachments: [], reaction: { emoji, targetMessageId: `wamid.${n}` } },
        } as unknown as Parameters<CustomerReactions['handle']>[0],
        `reaction-event-${n}`,
      );
    };
    for (const verdict of ['👎🏽', '👍']) {
      const s = setup();
      await s.useCase.execute(result({ messageId: 'in-1' }));
      expect(await react(s, 'in-1', verdict, 1)).toBe('recorded');
      await s.useCase.execute(result({ messageId: 'in-2' }));
      expect(await react(s, 'in-2', '👎', 2)).toBe('recorded');
      await s.useCase.execute(result({ messageId: 'in-3', ...unsure }));
      if (verdict === '👍') {
        // One 👎 and one unsure answer are two unsatisfied turns, not three: the bot still answers.
        expect(s.calls.handoffs).toHaveLength(0);
        expect(s.turnDocs.get('in-1')?.feedback).toBe('up');
        continue;
      }
      expect(s.turnDocs.get('in-1')?.feedback).toBe('down');
      expect(s.calls.handoffs.map((h) => h.reasons.map((r) => r.code))).toEqual([['unsatisfied_turns']]);
      expect(s.outcomes().filter((e) => e.data.outcome.startsWith('thumbs')).map((e) => [e.data.outcome, e.data.messageId])).toEqual([
        ['thumbs_down', 'in-1'], ['thumbs_down', 'in-2'],
      ]);
    }
  });

  it('does not read a reaction to an agent’s message, to an unknown id, or an emoji without a clear meaning', async () => {
    const s = setup();
    await s.useCase.execute(result({ messageId: 'in-1' }));
    const reaction = (emoji: string, target: string) => ({
      tenantId: 't1', region: 'eu', channel: 'whatsapp', accountId: 'acc-1', conversationId: 'conv-1', customer: { channelUserId: '34600111222' },
      message: { channelMessageId: 'r', type: 'reaction', timestamp: '2025-05-05T10:05:00.000Z', attachments: [], reaction: { emoji, targetMessageId: target } },
    }) as unknown as Parameters<CustomerReactions['handle']>[0];
    s.stored.set('agent-msg', { ...(s.stored.get(derivedId('in-1', 'bot-reply')) as MessageDoc), _id: 'agent-msg', author: { kind: 'agent', id: 'a1' } });
    expect(await s.reactions.handle(reaction('😂', derivedId('in-1', 'bot-reply')), 'r1')).toBe('no_verdict');
    expect(await s.reactions.handle(reaction('👎', 'wamid.unknown'), 'r2')).toBe('not_a_bot_answer');
    expect(await s.reactions.handle(reaction('👎', 'agent-msg'), 'r3')).toBe('not_a_bot_answer');
    expect(s.turnDocs.get('in-1')?.feedback).toBeUndefined();
    expect(s.outcomes().filter((e) => e.data.outcome.startsWith('thumbs'))).toHaveLength(0);
    // Our own id works too (the web widget shows it to the customer).
    expect(await s.reactions.handle(reaction('👎', derivedId('in-1', 'bot-reply')), 'r4')).toBe('recorded');
    expect(s.turnDocs.get('in-1')?.feedback).toBe('down');
  });

  it('does not greet twice when the variant’s welcome answered this first message', async () => {
    const s = setup();
    s.conv.experiments = [{ experimentId: 'e1', variantId: 'warm', params: { greeting: { en: 'Welcome!' } } }];
    const at = new Date();
    s.stored.set(welcomeId('conv-1'), { _id: welcomeId('conv-1'), replyToMessageId: INBOUND_ID, text: 'Welcome!' } as MessageDoc);
    await s.useCase.execute(result({ intent: { name: 'greeting', confidence: 0.95 }, answer: { text: 'Hello!' } }));
    expect(s.sends()).toHaveLength(0);
    s.stored.set(welcomeId('conv-1'), { _id: welcomeId('conv-1'), replyToMessageId: 'an-earlier-message', text: 'Welcome!', timestamp: at } as MessageDoc);
    await s.useCase.execute(result({ intent: { name: 'greeting', confidence: 0.95 }, answer: { text: 'Hello!' } }));
    expect(s.sends().map((e) => e.data.message.text)).toEqual(['Hello!']);
  });

  function withWorkflow(outcome: WorkflowOutcome) {
    const runs: string[] = [];
    const workflows = {
      triggered: async () => ({ match: { workflow: 'lookup_order', intent: 'order_status', inputs: { orderNumber: 'ORD-1' } }, config: {}, connector: { baseUrl: 'http://c/', signingSecrets: [] } }),
      run: async (_c: ConversationDoc, messageId: string) => { runs.push(messageId); return { runId: 'run-1', outcome }; },
    } as unknown as Workflows;
    return { s: setup({ workflows }), runs };
  }

  it('answers with the workflow’s result instead of the generic answer, under the same reply id', async () => {
    const { s, runs } = withWorkflow({ kind: 'reply', text: 'Order ORD-1 is on its way.' });
    await s.useCase.execute(result());
    expect(runs).toEqual([INBOUND_ID]);
    expect(s.stored.get(REPLY_ID)).toMatchObject({ text: 'Order ORD-1 is on its way.', author: { kind: 'bot', id: 'workflow' }, ai: { workflowRunId: 'run-1' } });
    expect(s.sends().map((e) => e.id)).toEqual([REPLY_ID]);
    expect(s.outcomes().map((e) => [e.data.outcome, e.data.messageId])).toEqual([['answered', INBOUND_ID]]);
  });

  it('hands off with the workflow’s reason when it fails', async () => {
    const { s } = withWorkflow({ kind: 'handoff', code: 'workflow_failed', detail: 'lookup_order: step lookup_order failed (connector_unreachable: …)' });
    await s.useCase.execute(result());
    expect(s.calls.handoffs.map((h) => h.reasons)).toEqual([[{ code: 'workflow_failed', detail: 'lookup_order: step lookup_order failed (connector_unreachable: …)' }]]);
    expect(s.sends()).toHaveLength(0);
  });
});
