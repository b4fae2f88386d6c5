import { AccountRateLimiter, CATCH_UP_MS, SlidingWindowPacer, WINDOW_GUARD_MS } from './rate-limiter';
import { SendShare } from './send-share';

/** The most starts any sliding window of `windowMs` holds (the provider's count, had they arrived as they started). */
function maxInWindow(starts: number[], windowMs: number): number {
  let best = 0;
  let from = 0;
  for (let i = 0; i < starts.length; i++) {
    while (starts[i] - starts[from] >= windowMs) from++;
    best = Math.max(best, i - from + 1);
  }
  return best;
}

const busyWait = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a stalled event loop */ }
};

describe('SlidingWindowPacer', () => {
  it('never lets more than `limit` starts into any window, spaced evenly, at the full rate', async () => {
    const starts: number[] = [];
    const pacer = new SlidingWindowPacer(20, 200, (at) => starts.push(at));
    await Promise.all(Array.from({ length: 60 }, () => pacer.acquire().then((done) => done())));
    expect(starts).toHaveLength(60);
    expect(maxInWindow(starts, 200)).toBeLessThanOrEqual(20);
    // 60 starts 10 ms apart: 590 ms, less the CATCH_UP_MS head start; timers that fire late do not add up.
    const span = starts[59] - starts[0];
    expect(span).toBeGreaterThanOrEqual(590 - CATCH_UP_MS - 5);
    expect(span).toBeLessThan(885); // loose: a loaded machine stalls timers; a drift of 1 ms per slot alone would reach 650
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    expect(Math.min(...gaps)).toBeGreaterThan(0);
  });

  it('does not burst after the event loop stalls: the window count holds whatever the timers do', async () => {
    const starts: number[] = [];
    const pacer = new SlidingWindowPacer(10, 100, (at) => starts.push(at));
    const all = Array.from({ length: 40 }, () => pacer.acquire().then((done) => done()));
    await new Promise((r) => setTimeout(r, 25));
    busyWait(60); // six slots' worth of timers are due at once when the loop comes back
    await Promise.all(all);
    expect(maxInWindow(starts, 100)).toBeLessThanOrEqual(10);
  });

  it('keeps a rate finer than the timers: 4 ms apart is not capped by timers firing every 5–15 ms', async () => {
    const starts: number[] = [];
    const pacer = new SlidingWindowPacer(250, 1_000, (at) => starts.push(at));
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 300 }, () => pacer.acquire().then((done) => done())));
    // 300 at 250/s ≈ 1.2 s; one catch-up per timer would have taken 2–4 s.
    expect(performance.now() - t0).toBeLessThan(1_700);
    expect(maxInWindow(starts, 1_000)).toBeLessThanOrEqual(250);
  });

  it('counts a request until its answer: the next window opens a window after the oldest one ended', async () => {
    const pacer = new SlidingWindowPacer(3, 100);
    const first = await Promise.all([pacer.acquire(), pacer.acquire(), pacer.acquire()]);
    const t0 = performance.now();
    let fourth = 0;
    const pending = pacer.acquire().then((done) => { fourth = performance.now(); done(); });
    // The oldest request is still running after its window: the fourth must wait for its answer.
    await new Promise((r) => setTimeout(r, 150));
    expect(fourth).toBe(0);
    const answered = performance.now();
    first.forEach((done) => done());
    await pending;
    expect(fourth - answered).toBeGreaterThanOrEqual(100);
    expect(fourth - t0).toBeGreaterThanOrEqual(250);
  });

  it('refuses a limit that is not a whole number and a window that is not positive', () => {
    expect(() => new SlidingWindowPacer(-1, 1000)).toThrow(RangeError);
    expect(() => new SlidingWindowPacer(2.5, 1000)).toThrow(RangeError);
    expect(() => new SlidingWindowPacer(1, 0)).toThrow(RangeError);
  });
});

describe('AccountRateLimiter', () => {
  it('paces each account on its own, at its limit per second', async () => {
    const limiter = new AccountRateLimiter({ perAccountPerSecond: 50 }, SendShare.whole());
    const at: Record<string, number[]> = { a: [], b: [] };
    const t0 = performance.now();
    await Promise.all(['a', 'b'].flatMap((acc) => Array.from({ length: 60 }, (_, i) => limiter.acquire(acc, `r${i}`).then((done) => { at[acc].push(performance.now()); done(); }))));
    for (const acc of ['a', 'b']) expect(maxInWindow(at[acc], 1_000)).toBeLessThanOrEqual(50);
    // Two accounts in parallel: 60 each at 50/s take ~1.2 s, not 2.4.
    expect(performance.now() - t0).toBeLessThan(1_900);
    await limiter.stop();
    await expect(limiter.acquire('a', 'r')).rejects.toThrow('stopped');
  });

  it('counts a recipient send when the account lets it go, so two sends to one chat stay a window apart', async () => {
    // The account is the bottleneck (5/s): chat x's first send waits behind others in the account's queue.
    const limiter = new AccountRateLimiter({ perAccountPerSecond: 5, perRecipientPerSecond: 1 }, SendShare.whole());
    const x: number[] = [];
    const others = Array.from({ length: 4 }, (_, i) => limiter.acquire('bot', `other-${i}`).then((done) => done()));
    const first = limiter.acquire('bot', 'x').then((done) => { x.push(performance.now()); done(); });
    await Promise.all([...others, first]);
    (await limiter.acquire('bot', 'x'))();
    x.push(performance.now());
    expect(x[1] - x[0]).toBeGreaterThanOrEqual(1_000 + WINDOW_GUARD_MS - 1);
  });

  it("uses this replica's part of the account limit: nothing before Kafka assigns partitions, a larger part only after a window and the hold", async () => {
    const share = SendShare.ofGroup(0);
    const limiter = new AccountRateLimiter({ perAccountPerSecond: 80 }, share);
    try {
      const t0 = performance.now();
      let sentAt = 0;
      const send = limiter.acquire('15550001', 'r').then((done) => { sentAt = performance.now(); done(); });
      await new Promise((r) => setTimeout(r, 50));
      expect(sentAt).toBe(0);
      share.update([1], 3);
      expect(limiter.portion()).toEqual({ count: 0, windowMs: 1_000 });
      await send;
      // Another replica may have held the whole limit until this one joined: one window first.
      expect(sentAt - t0).toBeGreaterThanOrEqual(1_000);
      expect(limiter.portion()).toEqual({ count: 27, windowMs: 1_000 });
      // A replica joins: this one's part shrinks at once (and grows back only after a hold).
      share.update([], 3);
      expect(limiter.portion()).toEqual({ count: 0, windowMs: 1_000 });
      share.update([0, 1, 2], 3);
      expect(limiter.portion()).toEqual({ count: 0, windowMs: 1_000 });
    } finally {
      await limiter.stop();
    }
  });

  it('schedules a one-request send after its slot', async () => {
    const limiter = new AccountRateLimiter({ perAccountPerSecond: 10 }, SendShare.whole());
    await expect(limiter.schedule('a', 'r', async () => 'sent')).resolves.toBe('sent');
  });
});
