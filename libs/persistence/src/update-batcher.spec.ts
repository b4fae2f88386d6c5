import { UpdateBatcher, UpdateOp } from './update-batcher';

/** A bulkWrite whose calls are recorded and settled by the test. */
function newTestStore() {
  const calls: UpdateOp[][] = [];
  const settle: ((o: { matchedCount: number } | Error) => void)[] = [];
  const bulkWrite = (ops: { updateOne: UpdateOp }[]) => {
    calls.push(ops.map((o) => o.updateOne));
    return new Promise<{ matchedCount: number }>((resolve, reject) => settle.push((o) => (o instanceof Error ? reject(o) : resolve(o))));
  };
  return { calls, settle, batcher: new UpdateBatcher(bulkWrite, 3) };
}

const op = (id: string) => [{ _id: id }, { $set: { seen: true } }] as const;
const tick = () => new Promise((r) => setImmediate(r));

describe('UpdateBatcher', () => {
  it('sends the first update at once and those arriving meanwhile together, at most maxBatch per request', async () => {
    const s = newTestStore();
    const first = s.batcher.update(...op('a'));
    const rest = ['b', 'c', 'd', 'e'].map((id) => s.batcher.update(...op(id)));
    expect(s.calls.map((c) => c.map((u) => u.filter._id))).toEqual([['a']]);

    s.settle[0]({ matchedCount: 1 });
    await expect(first).resolves.toBe(true);
    await tick();
    expect(s.calls.map((c) => c.map((u) => u.filter._id))).toEqual([['a'], ['b', 'c', 'd']]);
    s.settle[1]({ matchedCount: 3 });
    await tick();
    expect(s.calls.map((c) => c.map((u) => u.filter._id))).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    s.settle[2]({ matchedCount: 0 });
    await expect(Promise.all(rest)).resolves.toEqual([true, true, true, false]);
  });

  it('answers nobody before the store acknowledged, and "unknown" when only part of a batch matched', async () => {
    const s = newTestStore();
    let answered = 0;
    const all = ['a', 'b', 'c'].map((id) => s.batcher.update(...op(id)).then((m) => { answered++; return m; }));
    await tick();
    expect(answered).toBe(0);
    s.settle[0]({ matchedCount: 1 });
    await tick();
    s.settle[1]({ matchedCount: 1 });
    expect(await Promise.all(all)).toEqual([true, undefined, undefined]);
  });

  it('rejects only the updates the store refused, and every update of a batch that failed as a whole', async () => {
    const s = newTestStore();
    const first = s.batcher.update(...op('a'));
    const pair = [s.batcher.update(...op('b')), s.batcher.update(...op('c'))];
    s.settle[0](new Error('connection reset'));
    await expect(first).rejects.toThrow('connection reset');
    await tick();
    s.settle[1](Object.assign(new Error('bulk'), { writeErrors: [{ index: 1, code: 66, errmsg: 'immutable field' }] }));
    const [b, c] = await Promise.allSettled(pair);
    expect(b).toEqual({ status: 'fulfilled', value: undefined });
    expect(c).toMatchObject({ status: 'rejected', reason: { message: 'immutable field', code: 66 } });
  });
});
