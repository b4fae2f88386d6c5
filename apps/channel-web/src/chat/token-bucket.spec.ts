import { TokenBucket } from './token-bucket';

/** 1 token per 8 ms (binary-exact, so the waits are exact integers). */
const REFILL_PER_MS = 1 / 8;

function bucket(capacity = 3) {
  let now = 1_000;
  const b = new TokenBucket(capacity, REFILL_PER_MS, () => now);
  return { b, advance: (ms: number) => { now += ms; } };
}

describe('TokenBucket', () => {
  it('allows a burst of `capacity`, then tells how long until the next token', () => {
    const { b } = bucket();
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 0]);
    expect(b.take()).toBe(8);
  });

  it('does not consume a token when it refuses', () => {
    const { b, advance } = bucket(1);
    expect(b.take()).toBe(0);
    expect(b.take()).toBe(8);
    expect(b.take()).toBe(8);
    advance(8);
    expect(b.take()).toBe(0);
  });

  it('refills continuously with time', () => {
    const { b, advance } = bucket(1);
    b.take();
    advance(2);
    expect(b.take()).toBe(6);
    advance(5);
    expect(b.take()).toBe(1);
    advance(1);
    expect(b.take()).toBe(0);
  });

  it('never holds more than its capacity after a long idle time', () => {
    const { b, advance } = bucket(2);
    b.take();
    b.take();
    advance(3_600_000);
    expect([b.take(), b.take()]).toEqual([0, 0]);
    expect(b.take()).toBe(8);
  });

  it('reads the clock it is given', () => {
    const clock = jest.fn(() => 0);
    const b = new TokenBucket(1, REFILL_PER_MS, clock);
    b.take();
    expect(clock).toHaveBeenCalledTimes(2);
  });
});
