import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { PersistenceModule } from './persistence.module';
import { RECENT_TURNS_REPOSITORY, RecentTurnsRepository } from './recent-turns.repository';
import { BOT_TURN_REPOSITORY, BotTurnRepository } from './routing.ports';
import type { BotTurnDoc } from './routing.schemas';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/keyed-${Date.now().toString(36)}`;
  return u.toString();
})();

/** The per-conversation copies that replace scans on FerretDB (ADR 0006), on the real server. */
describe('reads by key on a real database', () => {
  let app: INestApplicationContext;
  let turns: BotTurnRepository;
  let recent: RecentTurnsRepository;
  let turnModel: Model<BotTurnDoc>;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false });
    await app.init();
    turns = app.get(BOT_TURN_REPOSITORY);
    recent = app.get(RECENT_TURNS_REPOSITORY);
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

  it('still reads turns stored before the period documents existed', async () => {
    await turnModel.create([{ ...turn('old1', 1), conversationId: 'c-old' }, { ...turn('old2', 2), conversationId: 'c-old' }]);
    expect((await turns.recent('c-old', 0, 3)).map((t) => t._id)).toEqual(['old1', 'old2']);
  });

  it('keeps the newest turns of a conversation’s AI context, once per message id', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    expect(await recent.append('t1', 'c2', { id: 'm1', role: 'customer', text: 'hi', at: at(1) }, 3)).toBeNull();
    expect(await recent.append('t1', 'c2', { id: 'r1', role: 'bot', text: 'hello!', at: at(2) }, 3)).toHaveLength(1);
    await recent.append('t1', 'c2', { id: 'm2', role: 'customer', text: 'order?', at: at(3) }, 3);
    const before = await recent.append('t1', 'c2', { id: 'r2', role: 'bot', text: 'which one?', at: at(4) }, 3);
    expect(before?.map((t) => t.id)).toEqual(['m1', 'r1', 'm2']);
    const again = await recent.append('t1', 'c2', { id: 'r2', role: 'bot', text: 'which one?', at: at(4) }, 3);
    expect(again?.map((t) => t.id)).toEqual(['r1', 'm2']);
  });
});
