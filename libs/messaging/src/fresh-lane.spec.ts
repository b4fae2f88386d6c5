import { LaneBook } from './fresh-lane';

const T = 'omni.inbound.v1';
const P = 0;

/** An ordered lane that fetched offsets [from, to] with these keys (cycled), and a lookout that saw nothing yet. */
function bookWithBacklog(opts: { minBacklog?: number; capacity?: number; from?: number; to?: number; keys?: string[] } = {}) {
  const book = new LaneBook({ minBacklog: opts.minBacklog ?? 10, capacity: opts.capacity ?? 4 });
  book.reset([{ topic: T, partition: P }]);
  const keys = opts.keys ?? ['a', 'b', 'c'];
  const from = opts.from ?? 0;
  const to = opts.to ?? 99;
  const records = Array.from({ length: to - from + 1 }, (_, i) => ({ offset: String(from + i), key: keys[i % keys.length] }));
  book.orderedBatch(T, P, records);
  return { book, records };
}

/** The lookout sees offsets [from, to] of the backlog's keys; the records stay the ordered lane's. */
function seeBacklog(book: LaneBook, from: number, to: number, keys = ['a', 'b', 'c']) {
  for (let n = from; n <= to; n++) expect(book.offer(T, P, String(n), keys[n % keys.length])).toBeUndefined();
}

describe('LaneBook (the fresh lane, ADR 0012)', () => {
  it('takes a newcomer at the end of a backlog, and its next record too, chained in order', async () => {
    const { book } = bookWithBacklog();
    seeBacklog(book, 100, 199);
    const first = book.offer(T, P, '200', 'new');
    expect(first).toBeDefined();
    await expect(first!.start()).resolves.toBe(true);
    // A backlog key arriving fresh stays in the backlog: its earlier records are not done.
    expect(book.offer(T, P, '201', 'a')).toBeUndefined();
    const second = book.offer(T, P, '202', 'new');
    expect(second).toBeDefined();
    expect(book.holding).toBe(2);

    // The second runs only after the first: its `previous` is the first's outcome.
    let secondMayRun = false;
    void second!.previous.then((ok) => { secondMayRun = ok; });
    await Promise.resolve();
    expect(secondMayRun).toBe(false);
    first!.settle(true);
    await new Promise((r) => setImmediate(r));
    expect(secondMayRun).toBe(true);
    second!.settle(true);
    expect(book.holding).toBe(0);
  });

  it('lets the ordered lane wait for a taken record instead of handling it, and handle it when given back', async () => {
    const { book } = bookWithBacklog();
    seeBacklog(book, 100, 199);
    const taken = book.offer(T, P, '200', 'new')!;
    const given = book.offer(T, P, '201', 'other')!;
    // The ordered lane reaches them in a later batch.
    book.orderedBatch(T, P, [{ offset: '200', key: 'new' }, { offset: '201', key: 'other' }]);
    const waitTaken = book.orderedTurn(T, P, '200');
    const waitGiven = book.orderedTurn(T, P, '201');
    expect(waitTaken).toBeDefined();
    expect(waitGiven).toBeDefined();
    expect(book.orderedTurn(T, P, '150')).toBeUndefined();
    taken.settle(true);
    given.settle(false);
    await expect(waitTaken).resolves.toBe(true);
    await expect(waitGiven).resolves.toBe(false);
  });

  it('gives back the rest of a key once one of its fresh records was given back; the key is the ordered lane\'s again', async () => {
    const { book } = bookWithBacklog();
    seeBacklog(book, 100, 199);
    const first = book.offer(T, P, '200', 'new')!;
    await first.start();
    const second = book.offer(T, P, '201', 'new')!;
    first.settle(false);
    await expect(second.previous).resolves.toBe(false);
    second.settle(false);
    expect(book.offer(T, P, '202', 'new')).toBeUndefined();
  });

  it('takes nothing the lookout cannot vouch for: records it did not see lie between the ordered lane and its first', () => {
    const { book } = bookWithBacklog({ to: 99 });
    // The lookout's first record is 150: 100..149 are unknown to both lanes (not fetched, not seen).
    expect(book.offer(T, P, '150', 'new')).toBeUndefined();
    expect(book.offer(T, P, '151', 'other')).toBeUndefined();
    // The ordered lane fetches up to 149: now every record to do is known.
    book.orderedBatch(T, P, Array.from({ length: 50 }, (_, i) => ({ offset: String(100 + i), key: 'a' })));
    expect(book.offer(T, P, '152', 'third')).toBeDefined();
    // 'new' and 'other' stayed in the backlog (their records 150, 151 were not taken).
    expect(book.offer(T, P, '153', 'new')).toBeUndefined();
  });

  it('restarts coverage after a gap in what the lookout saw', () => {
    const { book } = bookWithBacklog();
    seeBacklog(book, 100, 120);
    expect(book.offer(T, P, '121', 'x')).toBeDefined();
    // The lookout skipped 122..129 (it restarted at the end): the ordered lane must fetch them first.
    expect(book.offer(T, P, '130', 'y')).toBeUndefined();
    book.orderedBatch(T, P, Array.from({ length: 30 }, (_, i) => ({ offset: String(100 + i), key: 'a' })));
    expect(book.offer(T, P, '131', 'z')).toBeDefined();
  });

  it('leaves a record near the ordered lane to it (no backlog)', () => {
    const near = bookWithBacklog({ minBacklog: 200 });
    seeBacklog(near.book, 100, 150);
    expect(near.book.offer(T, P, '151', 'new')).toBeUndefined();
  });

  it('runs at most `capacity` at once and gives the next place to the newest waiting record', async () => {
    const { book } = bookWithBacklog({ capacity: 2 });
    seeBacklog(book, 100, 150);
    const [t1, t2, t3, t4] = ['n1', 'n2', 'n3', 'n4'].map((k, i) => book.offer(T, P, String(151 + i), k)!);
    const order: string[] = [];
    const started = [t1, t2, t3, t4].map((t) => t.start().then((ok) => { if (ok) order.push(t.offset); return ok; }));
    await Promise.resolve();
    expect(order).toEqual(['151', '152']);
    // n3 and n4 wait; n4 arrived last (the newcomer behind a burst): it runs first.
    t1.settle(true);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['151', '152', '154']);
    t2.settle(true);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['151', '152', '154', '153']);
    await expect(Promise.all(started)).resolves.toEqual([true, true, true, true]);
    // Two settled, two running.
    expect(book.holding).toBe(2);
  });

  it('with a rank, gives the next place to the highest-ranked waiting record, not the last to arrive here', async () => {
    const { book } = bookWithBacklog({ capacity: 1 });
    seeBacklog(book, 100, 150);
    // A later stage: the newcomer (its customer wrote at 900) reached this stage before two records an
    // earlier stage had marked for customers who wrote at 100 and 200.
    const ranks: Record<string, number> = { busy: 0, newcomer: 900, old1: 100, old2: 200 };
    const tickets = ['busy', 'newcomer', 'old1', 'old2'].map((k, i) => book.offer(T, P, String(151 + i), k, () => true, () => ranks[k])!);
    const order: string[] = [];
    const started = tickets.map((t, i) => t.start().then((ok) => { if (ok) order.push(['busy', 'newcomer', 'old1', 'old2'][i]); return ok; }));
    await Promise.resolve();
    expect(order).toEqual(['busy']);
    tickets[0].settle(true);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['busy', 'newcomer']);
    tickets[1].settle(true);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['busy', 'newcomer', 'old2']);
    tickets[3].settle(true);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['busy', 'newcomer', 'old2', 'old1']);
    tickets[2].settle(true);
    await expect(Promise.all(started)).resolves.toEqual([true, true, true, true]);
    expect(book.holding).toBe(0);
  });

  it('takes back a record still waiting for a place when the ordered lane reaches it, and leaves its key to the ordered lane', async () => {
    const { book } = bookWithBacklog({ capacity: 1 });
    seeBacklog(book, 100, 150);
    const running = book.offer(T, P, '151', 'n1')!;
    const waiting = book.offer(T, P, '152', 'n2')!;
    await expect(running.start()).resolves.toBe(true);
    const place = waiting.start();
    // A later record of n2 does not queue behind a record that has not started: the ordered lane keeps it.
    expect(book.offer(T, P, '153', 'n2')).toBeUndefined();
    // But a later record of n1 (running) follows it on the fresh lane.
    expect(book.offer(T, P, '154', 'n1')).toBeDefined();
    book.orderedBatch(T, P, [{ offset: '151', key: 'n1' }, { offset: '152', key: 'n2' }, { offset: '153', key: 'n2' }]);
    const outcome = book.orderedTurn(T, P, '152');
    await expect(place).resolves.toBe(false);
    waiting.settle(false);
    await expect(outcome).resolves.toBe(false);
  });

  it('follows the ordered lane: a done key is free again, a fetched record is never offered, the frontier measures the backlog', () => {
    const { book } = bookWithBacklog({ to: 2, keys: ['a', 'b', 'c'], minBacklog: 3 });
    seeBacklog(book, 3, 5);
    // Already fetched by the ordered lane: the lookout lags it.
    expect(book.offer(T, P, '1', 'z')).toBeUndefined();
    // 'a' has records 0 and 3 to do; after 0 it still has 3.
    book.orderedDone(T, P, '0', 'a', '1');
    expect(book.offer(T, P, '6', 'a')).toBeUndefined();
    book.orderedBatch(T, P, [3, 4, 5, 6].map((n) => ({ offset: String(n), key: ['a', 'b', 'c', 'a'][n - 3] })));
    for (const n of [1, 2, 3, 4, 5, 6]) book.orderedDone(T, P, String(n), ['b', 'c', 'a', 'b', 'c', 'a'][n - 1], String(n + 1));
    // Everything done: 'a' is free, but the ordered lane is at 7, so 8 is no backlog (minBacklog 3).
    expect(book.offer(T, P, '7', 'a')).toBeUndefined();
    book.orderedBatch(T, P, [{ offset: '7', key: 'a' }]);
    book.orderedDone(T, P, '7', 'a', '8');
    expect(book.offer(T, P, '8', 'q')).toBeUndefined();
    expect(book.offer(T, P, '9', 'q2')).toBeUndefined();
    expect(book.offer(T, P, '11', 'q3')).toBeUndefined(); // a gap: coverage restarts at 11
  });

  it('takes only what `admitted` lets in, asked last; a record not let in keeps its key on the ordered lane', () => {
    const { book } = bookWithBacklog();
    seeBacklog(book, 100, 150);
    const asked: string[] = [];
    expect(book.offer(T, P, '151', 'b', () => { asked.push('151'); return true; })).toBeUndefined();
    expect(book.offer(T, P, '152', 'new', () => { asked.push('152'); return false; })).toBeUndefined();
    expect(book.offer(T, P, '153', 'new', () => true)).toBeUndefined();
    expect(book.offer(T, P, '154', 'marked', () => { asked.push('154'); return true; })).toBeDefined();
    // Not asked for 151: its key was waiting in the backlog anyway.
    expect(asked).toEqual(['152', '154']);
  });

  it('acts only on the partitions the ordered lane holds; a taken record outlives a rebalance until it settles', async () => {
    const { book } = bookWithBacklog();
    seeBacklog(book, 100, 199);
    const t = book.offer(T, P, '200', 'new')!;
    expect(book.offer(T, 1 - P, '0', 'x')).toBeUndefined();
    // Rebalanced, the partition kept: coverage starts again, the taken record is still waited for.
    book.reset([{ topic: T, partition: P }]);
    expect(book.assigned(T, P)).toBe(true);
    expect(book.offer(T, P, '201', 'fresh2')).toBeUndefined();
    const wait = book.orderedTurn(T, P, '200');
    expect(wait).toBeDefined();
    // Revoked: the fresh lane must stop (its runner checks `assigned`).
    book.reset([]);
    expect(book.assigned(T, P)).toBe(false);
    t.settle(false);
    await expect(wait).resolves.toBe(false);
    expect(book.holding).toBe(0);
  });
});
