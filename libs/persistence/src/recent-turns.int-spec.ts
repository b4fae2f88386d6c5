import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { PersistenceModule } from './persistence.module';
import { MESSAGE_REPOSITORY, MessageRepository } from './ports';
import { BOT_TURN_REPOSITORY, BotTurnRepository } from './routing.ports';
import type { BotTurnDoc } from './routing.schemas';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/keyed-${Date.now().toString(36)}`;
  return u.toString();
})();

/** A conversation's recent bot turns and messages, read by indexed queries (ADR 0010, 0011), on the real server. */
describe('a conversation’s recent turns on a real database', () => {
  let app: INestApplicationContext;
  let turns: BotTurnRepository;
  let messages: MessageRepository;
  let turnModel: Model<BotTurnDoc>;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    await app.init();
    turns = app.get(BOT_TURN_REPOSITORY);
    messages = app.get(MESSAGE_REPOSITORY);
    turnModel = app.get(getModelToken('BotTurn'));
  });

  afterAll(async () => {
    await app?.close();
  });

  const turn = (id: string, second: number, ownerVersion = 0): BotTurnDoc => ({
    _id: id, tenantId: 't1', conversationId: 'c1', ownerVersion, at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)),
    ai: { language: 'en', intent: null, entities: [], answer: null, abstained: true },
  });

  it('reads a bot period’s last turns in order, each recorded once, periods apart', async () => {
    for (let i = 1; i <= 5; i++) expect(await turns.record(turn(`t${i}`, i))).toBe(true);
    expect(await turns.record(turn('t5', 5))).toBe(false); // a redelivered AI result
    expect(await turns.record(turn('v1', 9, 1))).toBe(true);
    expect((await turns.recent('c1', 0, 3)).map((t) => t._id)).toEqual(['t3', 't4', 't5']);
    expect((await turns.recent('c1', 1, 3)).map((t) => t._id)).toEqual(['v1']);
    expect(await turns.recent('c1', 2, 3)).toEqual([]);
  });

  it('records the customer’s verdict on a turn, the last one winning, for the tenant only', async () => {
    await turns.record({ ...turn('f1', 1), conversationId: 'c-feedback' });
    expect(await turns.setFeedback('other-tenant', 'f1', 'down')).toBe(false);
    expect(await turns.setFeedback('t1', 'f1', 'up')).toBe(true);
    expect(await turns.setFeedback('t1', 'f1', 'down')).toBe(true);
    expect(await turns.setFeedback('t1', 'missing', 'down')).toBe(false);
    expect((await turns.recent('c-feedback', 0, 3)).map((t) => [t._id, t.feedback])).toEqual([['f1', 'down']]);
  });

  it('reads turns inserted directly, in order', async () => {
    await turnModel.create([{ ...turn('old1', 1), conversationId: 'c-old' }, { ...turn('old2', 2), conversationId: 'c-old' }]);
    expect((await turns.recent('c-old', 0, 3)).map((t) => t._id)).toEqual(['old1', 'old2']);
  });

  it('reads a conversation’s last turns from its messages: turns written at the same moment by different writers are all there', async () => {
    // The inbound consumer stores the customer's turns while the replies consumer stores the bot's,
    // concurrently; each is an insert of its own document, so none can overwrite another (the copy
    // of the last turns that older versions kept was rewritten whole by each writer and lost turns).
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));
    const message = (id: string, ms: number, kind: 'customer' | 'bot') => ({
      _id: id, tenantId: 't1', conversationId: 'c-race', channel: 'web' as const, accountId: 'web-1', channelMessageId: id,
      direction: kind === 'customer' ? 'inbound' as const : 'outbound' as const, author: { kind }, type: 'text' as const, text: id, attachments: [], timestamp: at(ms),
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => [
      messages.insert(message(`q${i}`, i * 10, 'customer')),
      messages.insert(message(`a${i}`, i * 10 + 5, 'bot')),
    ]).flat());
    const last = await messages.history('c-race', 11);
    expect(last.map((m) => m._id)).toEqual(['a14', 'q15', 'a15', 'q16', 'a16', 'q17', 'a17', 'q18', 'a18', 'q19', 'a19']);
    expect((await messages.history('c-race', 100)).length).toBe(40);
  });
});
