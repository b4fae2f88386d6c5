import { FatalError, RetryableError, ValidationError } from '@omni/contracts';
import { parseRetryAfter, withRetry } from './retry';

const FAST = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

/** fn that throws the given errors in order, then returns 'ok'. */
function flaky(...errors: unknown[]) {
  let calls = 0;
  const fn = async () => {
    calls++;
    if (calls <= errors.length) throw errors[calls - 1];
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('withRetry', () => {
  it('retries retryable and unknown errors until one attempt succeeds', async () => {
    const f = flaky(new RetryableError('timeout', 't'), new Error('ECONNRESET'));
    await expect(withRetry(f.fn, FAST)).resolves.toBe('ok');
    expect(f.calls()).toBe(3);
  });

  it.each([
    ['a ValidationError', new ValidationError('400')],
    ['a FatalError', new FatalError('auth', '401')],
    ['a TypeError', new TypeError('bug')],
  ])('surfaces %s at once', async (_name, error) => {
    const f = flaky(error);
    await expect(withRetry(f.fn, FAST)).rejects.toBe(error);
    expect(f.calls()).toBe(1);
  });

  it('stops after `attempts` and rejects with the last error', async () => {
    const errors = [1, 2, 3, 4, 5].map((n) => new RetryableError('unavailable', `try ${n}`));
    const f = flaky(...errors);
    await expect(withRetry(f.fn, FAST)).rejects.toBe(errors[3]);
    expect(f.calls()).toBe(4);
  });

  it("honours the provider's retryAfterMs before the next attempt", async () => {
    const f = flaky(new RetryableError('throttled', '429', 50));
    const start = Date.now();
    await expect(withRetry(f.fn, FAST)).resolves.toBe('ok');
    expect(Date.now() - start).toBeGreaterThanOrEqual(45);
    expect(f.calls()).toBe(2);
  });

  it("does not sleep the provider's wait after the last attempt", async () => {
    const throttled = new RetryableError('throttled', '429', 3_000);
    const f = flaky(throttled, throttled);
    const start = Date.now();
    await expect(withRetry(f.fn, { ...FAST, attempts: 1 })).rejects.toBe(throttled);
    expect(f.calls()).toBe(1);
    expect(Date.now() - start).toBeLessThan(1_500);
  });

  it('gives up at once when the provider asks to wait longer than maxRetryAfterMs', async () => {
    const throttled = new RetryableError('throttled', '429', 5_000);
    const f = flaky(throttled);
    const start = Date.now();
    await expect(withRetry(f.fn, { ...FAST, maxRetryAfterMs: 100 })).rejects.toBe(throttled);
    expect(f.calls()).toBe(1);
    expect(Date.now() - start).toBeLessThan(1_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-06-01T12:00:00.000Z');

  it.each([
    ['120', 120_000],
    ['0', 0],
    ['1.5', 1_500],
    ['-3', 0],
  ])('reads delay-seconds %s as %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it('reads an HTTP-date relative to now and clamps a past one to 0', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0);
  });

  it.each([null, undefined, '', 'soon'])('returns undefined for %p', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
