import type { BotTurnDoc, BotTurnRepository } from '@omni/persistence';
import { RecentTurns } from './recent-turns';

/** The bot turns collection in memory, counting the reads the copy is meant to save. */
function newTestService() {
  const stored = new Map<string, BotTurnDoc>();
  const reads: string[] = [];
  const repo: BotTurnRepository = {
    record: async (t) => { if (stored.has(t._id)) return false; stored.set(t._id, t); return true; },
    recent: async (conversationId, ownerVersion, limit) => {
      reads.push(`${conversationId}:${ownerVersion}`);
      return [...stored.values()].filter((t) => t.conversationId === conversationId && t.ownerVersion === ownerVersion).sort((a, b) => a.at.getTime() - b.at.getTime()).slice(-limit);
    },
    setFeedback: async (_tenantId, id, feedback) => { const t = stored.get(id); if (t) t.feedback = feedback; return Boolean(t); },
  };
  let clock = Date.parse('2026-12-07T10:00:00Z');
  const turn = (id: string, conversationId = 'conv-1', ownerVersion = 0): BotTurnDoc => ({
    _id: id, tenantId: 't1', conversationId, ownerVersion, at: new Date(clock++),
    ai: { language: 'en', intent: { name: 'order_status', confidence: 0.2 }, entities: [], answer: null, abstained: true },
  });
  return { turns: new RecentTurns(repo), repo, stored, reads, turn };
}

const ids = (turns: BotTurnDoc[]) => turns.map((t) => t._id);

describe('RecentTurns', () => {
  it('keeps the period it stored: the next turns of the conversation need no read of the store', async () => {
    const s = newTestService();
    expect(ids(await s.turns.record(s.turn('in-1'), 5, 0, true))).toEqual(['in-1']);
    expect(ids(await s.turns.record(s.turn('in-2'), 5, 0, false))).toEqual(['in-1', 'in-2']);
    expect(ids(await s.turns.record(s.turn('in-3'), 5, 0, false))).toEqual(['in-1', 'in-2', 'in-3']);
    expect(s.reads).toEqual([]);
    expect([...s.stored.keys()]).toEqual(['in-1', 'in-2', 'in-3']);
  });

  it('reads the store once for a period it does not hold, then keeps it; the last `limit` turns each time', async () => {
    const s = newTestService();
    for (const id of ['a', 'b', 'c']) await s.repo.record(s.turn(id));
    expect(ids(await s.turns.record(s.turn('d'), 3, 0, false))).toEqual(['b', 'c', 'd']);
    expect(ids(await s.turns.record(s.turn('e'), 5, 0, false))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(s.reads).toEqual(['conv-1:0']);
  });

  it('reads again when the conversation counted a change made elsewhere (a 👎 on an answer): the verdict is seen', async () => {
    const s = newTestService();
    await s.turns.record(s.turn('in-1'), 5, 0, true);
    await s.repo.setFeedback('t1', 'in-1', 'down');
    const turns = await s.turns.record(s.turn('in-2'), 5, 1, false);
    expect(turns.map((t) => [t._id, t.feedback])).toEqual([['in-1', 'down'], ['in-2', undefined]]);
    expect(s.reads).toEqual(['conv-1:0']);
  });

  it('forgets everything at a join of the group: another member may have stored turns meanwhile', async () => {
    const s = newTestService();
    await s.turns.record(s.turn('in-1'), 5, 0, true);
    // The partition was another member's for a while: it stored the conversation's next turn.
    s.turns.reset();
    await s.repo.record(s.turn('in-2'));
    expect(ids(await s.turns.record(s.turn('in-3'), 5, 0, false))).toEqual(['in-1', 'in-2', 'in-3']);
    expect(s.reads).toEqual(['conv-1:0']);
  });

  it('lets the store decide for a redelivered result (its turn stored already), and keeps periods apart', async () => {
    const s = newTestService();
    const first = s.turn('in-1');
    await s.turns.record(first, 5, 0, true);
    await s.turns.record(s.turn('in-2'), 5, 0, false);
    expect(ids(await s.turns.record({ ...first, at: new Date() }, 5, 0, false))).toEqual(['in-1', 'in-2']);
    expect(s.reads).toEqual(['conv-1:0']);
    // A new bot period (after a handoff) starts with none of the earlier period's turns.
    expect(ids(await s.turns.record(s.turn('in-9', 'conv-1', 3), 5, 0, false))).toEqual(['in-9']);
  });

  it('reads the store every time for a result without the count (an older worker)', async () => {
    const s = newTestService();
    await s.turns.record(s.turn('in-1'), 5, undefined, true);
    await s.turns.record(s.turn('in-2'), 5, undefined, false);
    await s.turns.record(s.turn('in-3'), 5, undefined, false);
    expect(s.reads).toEqual(['conv-1:0', 'conv-1:0']);
  });

  it('reads again once its copy is ten minutes old', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-07T10:00:00Z') });
    try {
      const s = newTestService();
      await s.turns.record(s.turn('in-1'), 5, 0, true);
      jest.setSystemTime(Date.parse('2026-12-07T10:11:00Z'));
      await s.turns.record(s.turn('in-2'), 5, 0, false);
      expect(s.reads).toEqual(['conv-1:0']);
    } finally {
      jest.useRealTimers();
    }
  });
});
