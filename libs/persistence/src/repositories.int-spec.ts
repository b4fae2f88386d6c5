import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { MESSAGE_REPOSITORY, CONVERSATION_REPOSITORY, MessageRepository, ConversationRepository } from './ports';
import { PersistenceModule } from './persistence.module';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/persist-${Date.now().toString(36)}`;
  return u.toString();
})();

/** Duplicate-safe writes on the real MongoDB-protocol server (FerretDB here, MongoDB in production). */
describe('repositories on a real database', () => {
  let app: INestApplicationContext;
  let messages: MessageRepository;
  let conversations: ConversationRepository;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    messages = app.get(MESSAGE_REPOSITORY);
    conversations = app.get(CONVERSATION_REPOSITORY);
  });

  afterAll(async () => {
    await app?.close();
  });

  const base = {
    tenantId: 't1', conversationId: 'c1', channel: 'web', accountId: 'a1', direction: 'inbound' as const,
    author: { kind: 'customer' as const }, type: 'text', text: 'hi', attachments: [], timestamp: new Date(),
  };

  it('stores a redelivered message once, and refuses another id for the same channel message', async () => {
    const first = await messages.insert({ ...base, _id: 'm1', channelMessageId: 'wamid.1' });
    const again = await messages.insert({ ...base, _id: 'm1', channelMessageId: 'wamid.1' });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.message._id).toBe('m1');
    // Same (tenant, channel, account, channel message id) under another _id: the unique index says no.
    await expect(messages.insert({ ...base, _id: 'm1-other', channelMessageId: 'wamid.1' })).rejects.toMatchObject({ code: 11000 });
    expect(await messages.history('c1', 10)).toHaveLength(1);
  });

  it('moves delivery statuses forward only, and keeps failed terminal', async () => {
    await messages.insert({ ...base, _id: 'out1', channelMessageId: 'out1', direction: 'outbound', author: { kind: 'bot' } });
    const at = new Date();
    expect(await messages.applyStatus('out1', { status: 'delivered', at })).toBe('moved');
    expect(await messages.applyStatus('out1', { status: 'sent', at })).toBe('stale');
    expect(await messages.applyStatus('out1', { status: 'delivered', at })).toBe('stale');
    expect(await messages.applyStatus('out1', { status: 'read', at }, 'prov-1')).toBe('moved');
    expect(await messages.applyStatus('never-stored', { status: 'read', at })).toBe('missing');
    const stored = await messages.get('out1');
    expect(stored?.status).toBe('read');
    expect(stored?.providerMessageId).toBe('prov-1');
    expect(stored?.statusHistory.map((s) => s.status)).toEqual(['delivered', 'read']);
  });

  it('applies concurrent handlers\' statuses and AI readings as batches, each caller told what became of its own', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `batch-out-${i}`);
    await Promise.all(ids.map((id) => messages.insert({ ...base, _id: id, channelMessageId: id, direction: 'outbound', author: { kind: 'bot' } })));
    const at = new Date();
    // 20 stored, 5 not stored yet (a status overtaking its message): one batch mixes both.
    const moved = await Promise.all([...ids, 'nope-1', 'nope-2', 'nope-3', 'nope-4', 'nope-5'].map((id) => messages.applyStatus(id, { status: 'delivered', at })));
    expect(moved).toEqual([...ids.map(() => 'moved'), 'missing', 'missing', 'missing', 'missing', 'missing']);
    // A stale status for all of them, at once: nothing moves, and every caller hears so.
    expect(await Promise.all(ids.map((id) => messages.applyStatus(id, { status: 'sent', at })))).toEqual(ids.map(() => 'stale'));
    await Promise.all(ids.map((id, i) => messages.attachAi(id, { intent: { name: `intent-${i}`, confidence: 0.5 } })));
    const stored = await Promise.all(ids.map((id) => messages.get(id)));
    expect(stored.map((m) => [m?.status, m?.statusHistory.length, (m?.ai as { intent: { name: string } }).intent.name])).toEqual(ids.map((_, i) => ['delivered', 1, `intent-${i}`]));
  });

  it("writes no status this process knows is stale, so that a batch of statuses is not read back for a repeated one (Meta's sent after the channel's own)", async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `known-out-${i}`);
    await Promise.all(ids.map((id) => messages.insert({ ...base, _id: id, channelMessageId: id, direction: 'outbound', author: { kind: 'bot' } })));
    const model = app.get<Model<unknown>>(getModelToken('Message'));
    const at = new Date();
    expect(await Promise.all(ids.map((id) => messages.applyStatus(id, { status: 'sent', at })))).toEqual(ids.map(() => 'moved'));
    const writes = jest.spyOn(model, 'bulkWrite');
    const reads = jest.spyOn(model, 'findById');
    try {
      // The provider's own `sent` for each (repeated) beside `delivered` for each, at once.
      const applied = await Promise.all(ids.flatMap((id) => [messages.applyStatus(id, { status: 'sent', at }), messages.applyStatus(id, { status: 'delivered', at })]));
      expect(applied).toEqual(ids.flatMap(() => ['stale', 'moved']));
      // The repeated ones never reached the store: the deliveries' batch matched whole, nothing was read back.
      expect(reads).not.toHaveBeenCalled();
      const written = writes.mock.calls.flatMap(([ops]) => ops as unknown[]);
      expect(written).toHaveLength(ids.length);
    } finally {
      writes.mockRestore();
      reads.mockRestore();
    }
    const stored = await Promise.all(ids.map((id) => messages.get(id)));
    expect(stored.map((m) => m?.statusHistory.map((h) => h.status))).toEqual(ids.map(() => ['sent', 'delivered']));
  });

  it('finds the outbound message of a conversation a reaction names, by provider id or by ours', async () => {
    await messages.insert({ ...base, _id: 'bot-r1', conversationId: 'c-react', channelMessageId: 'bot-r1', direction: 'outbound', author: { kind: 'bot' }, replyToMessageId: 'in-1' });
    await messages.insert({ ...base, _id: 'cust-1', conversationId: 'c-react', channelMessageId: 'wamid.cust', text: 'hola' });
    await messages.applyStatus('bot-r1', { status: 'sent', at: new Date() }, 'wamid.bot');
    expect((await messages.reactedTo('c-react', 'wamid.bot'))?._id).toBe('bot-r1');
    expect((await messages.reactedTo('c-react', 'bot-r1'))?.replyToMessageId).toBe('in-1');
    // The customer's own message is not an answer to react to; another conversation's id is not found.
    expect(await messages.reactedTo('c-react', 'wamid.cust')).toBeNull();
    expect(await messages.reactedTo('c-elsewhere', 'wamid.bot')).toBeNull();
  });

  it('opens a conversation once and touches it afterwards', async () => {
    const c = { _id: 'conv-x', tenantId: 't1', region: 'local', channel: 'web', accountId: 'a1', customerId: 'cu1', channelUserId: 'u1' };
    const [a, b] = await Promise.all([conversations.openOrTouch(c, new Date(), true), conversations.openOrTouch(c, new Date(), true)]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect((await conversations.get('conv-x'))?.state).toBe('bot');
  });

  it("opens a new conversation with its insert alone, and touches a known one without trying to insert it", async () => {
    const model = app.get<Model<unknown>>(getModelToken('Conversation'));
    const touches = jest.spyOn(model, 'findOneAndUpdate');
    const inserts = jest.spyOn(model, 'create');
    try {
      const c = { _id: 'conv-count', tenantId: 't1', region: 'local', channel: 'web', accountId: 'a1', customerId: 'cu1', channelUserId: 'u1' };
      expect((await conversations.openOrTouch(c, new Date(), true)).created).toBe(true);
      // A new customer's first message: no find-and-modify that finds nothing before the insert.
      expect([touches.mock.calls.length, inserts.mock.calls.length]).toEqual([0, 1]);
      const later = new Date(Date.now() + 1_000);
      const touched = await conversations.openOrTouch(c, later, true);
      expect(touched.created).toBe(false);
      expect(touched.conversation.lastInboundAt).toEqual(later);
      // Its next message: the touch alone.
      expect([touches.mock.calls.length, inserts.mock.calls.length]).toEqual([1, 1]);
    } finally {
      touches.mockRestore();
      inserts.mockRestore();
    }
  });
});
