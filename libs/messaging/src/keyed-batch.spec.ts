import { CommitFrontier, Slots, keyChains } from './keyed-batch';

describe('keyChains', () => {
  it('groups indexes by key in offset order, groups in order of first appearance, null keys apart', () => {
    const m = (key: string | null) => ({ key: key === null ? null : Buffer.from(key) });
    expect(keyChains([m('a'), m('b'), m('a'), m(null), m(''), m('null'), m(null), m('b')])).toEqual([[0, 2], [1, 7], [3, 6], [4], [5]]);
    expect(keyChains([])).toEqual([]);
  });
});

describe('CommitFrontier', () => {
  it('moves only over a contiguous run of completed records and returns the offset to resolve', () => {
    const f = new CommitFrontier(['10', '11', '12', '13']);
    expect(f.complete(1)).toBeUndefined();
    expect(f.complete(3)).toBeUndefined();
    expect(f.resolved).toBe(0);
    expect(f.complete(0)).toBe('11');
    expect(f.complete(2)).toBe('13');
    expect(f.resolved).toBe(4);
  });

  it('refuses an index outside the batch', () => {
    expect(() => new CommitFrontier(['1']).complete(1)).toThrow(RangeError);
  });
});

describe('Slots', () => {
  it('hands out at most `size` slots and passes them on in FIFO order', async () => {
    const slots = new Slots(2);
    const order: number[] = [];
    const r1 = await slots.acquire();
    const r2 = await slots.acquire();
    const third = slots.acquire().then((r) => { order.push(3); return r; });
    const fourth = slots.acquire().then((r) => { order.push(4); return r; });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    r1();
    r1(); // idempotent: does not free a second slot
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([3]);
    r2();
    (await third)();
    (await fourth)();
    expect(order).toEqual([3, 4]);
    // all free again: two immediate acquisitions
    await slots.acquire();
    await slots.acquire();
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
    expect(() => new Slots(1.5)).toThrow(RangeError);
  });
});
