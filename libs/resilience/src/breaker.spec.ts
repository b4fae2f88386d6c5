import { RetryableError, ValidationError } from '@omni/contracts';
import { registry } from '@omni/telemetry';
import { Breaker, BreakerOptions, BreakerRegistry, createBreaker } from './breaker';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A dependency whose behaviour the test switches; counts how often it was really called. */
function dependency() {
  const state = { mode: 'ok' as 'ok' | 'down' | 'bad-request' | 'slow', calls: 0 };
  const action = async (x: number): Promise<number> => {
    state.calls++;
    if (state.mode === 'down') throw new Error('503 from provider');
    if (state.mode === 'bad-request') throw new ValidationError('400 from provider');
    if (state.mode === 'slow') await sleep(60);
    return x * 2;
  };
  return { state, action };
}

async function stateOf(name: string): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('omni_breaker_state')?.get();
  return metric?.values.find((v) => v.labels.breaker === name)?.value;
}

describe('createBreaker', () => {
  const made: Breaker<[number], number>[] = [];
  const make = (name: string, options: BreakerOptions) => {
    const dep = dependency();
    const breaker = createBreaker(name, dep.action, { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeout: 40, timeout: 1_000, ...options });
    made.push(breaker);
    return { ...dep, breaker };
  };
  afterEach(() => {
    for (const b of made.splice(0)) b.shutdown();
  });

  it('passes results and, below the volume threshold, the original errors through', async () => {
    const { breaker, state } = make('b-pass', {});
    await expect(breaker.fire(21)).resolves.toBe(42);
    state.mode = 'down';
    await expect(breaker.fire(1)).rejects.toThrow('503 from provider');
    expect(breaker.opened).toBe(false);
  });

  it('opens once failures pass the volume threshold, then fails fast with dependency_unavailable', async () => {
    const { breaker, state } = make('b-open', {});
    state.mode = 'down';
    await expect(breaker.fire(1)).rejects.toThrow('503 from provider');
    await expect(breaker.fire(1)).rejects.toThrow('503 from provider');
    expect(breaker.opened).toBe(false);
    await expect(breaker.fire(1)).rejects.toBeInstanceOf(RetryableError);
    expect(breaker.opened).toBe(true);
    expect(await stateOf('b-open')).toBe(2);

    const callsWhenOpened = state.calls;
    state.mode = 'ok';
    const err: unknown = await breaker.fire(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'dependency_unavailable', retryable: true, retryAfterMs: 40, message: 'b-open: circuit open' });
    expect(state.calls).toBe(callsWhenOpened);
  });

  it('half-opens after resetTimeout and closes on a successful trial call', async () => {
    const { breaker, state } = make('b-heal', {});
    state.mode = 'down';
    for (let i = 0; i < 3; i++) await breaker.fire(1).catch(() => undefined);
    expect(breaker.opened).toBe(true);
    await sleep(60);
    expect(breaker.halfOpen).toBe(true);
    expect(await stateOf('b-heal')).toBe(1);
    state.mode = 'ok';
    await expect(breaker.fire(5)).resolves.toBe(10);
    expect(breaker.closed).toBe(true);
    expect(await stateOf('b-heal')).toBe(0);
  });

  it('opens again when the half-open trial call fails', async () => {
    const { breaker, state } = make('b-relapse', {});
    state.mode = 'down';
    for (let i = 0; i < 3; i++) await breaker.fire(1).catch(() => undefined);
    await sleep(60);
    expect(breaker.halfOpen).toBe(true);
    await expect(breaker.fire(1)).rejects.toBeInstanceOf(RetryableError);
    expect(breaker.opened).toBe(true);
  });

  it('answers calls beside a half-open trial with a retryable dependency_unavailable', async () => {
    const { breaker, state } = make('b-bystander', {});
    state.mode = 'down';
    for (let i = 0; i < 3; i++) await breaker.fire(1).catch(() => undefined);
    await sleep(60);
    expect(breaker.halfOpen).toBe(true);
    state.mode = 'slow';
    const trial = breaker.fire(2);
    const bystander: unknown = await breaker.fire(3).catch((e: unknown) => e);
    expect(bystander).toBeInstanceOf(RetryableError);
    expect(bystander).toMatchObject({ code: 'dependency_unavailable', retryable: true });
    await expect(trial).resolves.toBe(4);
    expect(breaker.closed).toBe(true);
  });

  it('turns a timeout into a RetryableError', async () => {
    const { breaker, state } = make('b-slow', { timeout: 15 });
    state.mode = 'slow';
    const err: unknown = await breaker.fire(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'dependency_timeout', message: 'b-slow: timed out after 15 ms' });
  });

  it('does not let caller errors (isFailure false) open it', async () => {
    const { breaker, state } = make('b-caller', { isFailure: (err) => !(err instanceof ValidationError) });
    state.mode = 'bad-request';
    for (let i = 0; i < 6; i++) await expect(breaker.fire(1)).rejects.toBeInstanceOf(ValidationError);
    expect(breaker.opened).toBe(false);
    expect(state.calls).toBe(6);
    state.mode = 'ok';
    await expect(breaker.fire(2)).resolves.toBe(4);
  });

  it('still opens on real failures when an isFailure filter is set', async () => {
    const { breaker, state } = make('b-filtered', { isFailure: (err) => !(err instanceof ValidationError) });
    state.mode = 'down';
    for (let i = 0; i < 3; i++) await breaker.fire(1).catch(() => undefined);
    expect(breaker.opened).toBe(true);
  });
});

describe('BreakerRegistry', () => {
  it('keeps one breaker per dependency instance and shuts them all down', async () => {
    const reg = new BreakerRegistry();
    const a = reg.get('acct-1', async (x: number) => x + 1);
    expect(reg.get('acct-1', async (x: number) => x - 1)).toBe(a);
    const b = reg.get('acct-2', async (x: number) => x - 1);
    expect(b).not.toBe(a);
    await expect(a.fire(1)).resolves.toBe(2);
    reg.shutdown();
    expect(reg.get('acct-1', async (x: number) => x * 10)).not.toBe(a);
    reg.shutdown();
  });
});
