import { RetryableError } from '@omni/contracts';
import { withTimeout } from './timeout';

describe('withTimeout', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves with the value of a promise that settles in time and leaves no timer behind', async () => {
    jest.useFakeTimers();
    await expect(withTimeout(Promise.resolve(7), 1_000, 'lookup')).resolves.toBe(7);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("passes the promise's own rejection through", async () => {
    const own = new Error('refused');
    await expect(withTimeout(Promise.reject(own), 1_000, 'lookup')).rejects.toBe(own);
  });

  it('rejects with a RetryableError naming what timed out', async () => {
    const never = new Promise<never>(() => undefined);
    const err: unknown = await withTimeout(never, 10, 'send to Graph API').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'timeout', retryable: true, message: 'send to Graph API timed out after 10 ms' });
  });
});
