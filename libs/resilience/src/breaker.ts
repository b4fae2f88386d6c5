import CircuitBreaker from 'opossum';
import { RetryableError } from '@omni/contracts';
import { counter, gauge } from '@omni/telemetry';

export interface BreakerOptions {
  /**
   * ms before one call counts as failed (every external call has a timeout). opossum only stops
   * waiting: it does not cancel the call. `false` = no breaker timeout, for actions that bound and
   * cancel their own work (the outbound sends: each provider request is aborted at its timeout), where
   * a breaker timeout would let a retry run beside a call still in flight.
   */
  timeout?: number | false;
  /** % of failures in the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** calls in the window before the breaker may open at all. */
  volumeThreshold?: number;
  /** ms an open breaker waits before letting one trial call through (half-open). */
  resetTimeout?: number;
  rollingCountTimeout?: number;
  /** Errors that are the caller's fault (a 4xx) must not open the breaker. */
  isFailure?: (err: unknown) => boolean;
}

const DEFAULTS: Required<Omit<BreakerOptions, 'isFailure'>> = {
  timeout: 5_000,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeout: 10_000,
  rollingCountTimeout: 10_000,
};

const STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

const stateGauge = () => gauge('omni_breaker_state', 'Circuit breaker state: 0 closed, 1 half-open, 2 open', ['breaker']);
const events = () => counter('omni_breaker_events_total', 'Circuit breaker events', ['breaker', 'event']);

export type Breaker<A extends unknown[], R> = CircuitBreaker<A, R>;

/**
 * One breaker per external dependency instance (a channel account, an LLM provider, a cross-region
 * link). When open or timed out, the call fails fast with a RetryableError, so Kafka consumers retry
 * later and webhooks answer 503 instead of hanging.
 */
export function createBreaker<A extends unknown[], R>(
  name: string,
  action: (...args: A) => Promise<R>,
  options: BreakerOptions = {},
): Breaker<A, R> {
  const { isFailure, ...rest } = options;
  const breaker = new CircuitBreaker<A, R>(action, {
    ...DEFAULTS,
    ...rest,
    name,
    errorFilter: isFailure ? (err: unknown) => !isFailure(err) : undefined,
  });
  const g = stateGauge();
  const e = events();
  g.set({ breaker: name }, STATE.closed);
  breaker.on('open', () => g.set({ breaker: name }, STATE.open));
  breaker.on('halfOpen', () => g.set({ breaker: name }, STATE.halfOpen));
  breaker.on('close', () => g.set({ breaker: name }, STATE.closed));
  for (const ev of ['success', 'failure', 'timeout', 'reject', 'fallback'] as const) {
    (breaker as unknown as NodeJS.EventEmitter).on(ev, () => e.inc({ breaker: name, event: ev }));
  }
  breaker.fallback((...args: unknown[]) => {
    const err = args[args.length - 1];
    // Open, or half-open with its one trial call in flight (opossum rejects bystanders with
    // EOPENBREAKER while `opened` is false): either way the dependency is not to be called now.
    if (breaker.opened || (err as { code?: unknown } | null)?.code === 'EOPENBREAKER') {
      throw new RetryableError('dependency_unavailable', `${name}: circuit open`, options.resetTimeout ?? DEFAULTS.resetTimeout);
    }
    if (err instanceof Error && (err as { code?: string }).code === 'ETIMEDOUT') {
      throw new RetryableError('dependency_timeout', `${name}: timed out after ${options.timeout ?? DEFAULTS.timeout} ms`);
    }
    throw err;
  });
  return breaker;
}

/** Keeps one breaker per dependency instance, created on first use. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, Breaker<unknown[], unknown>>();

  get<A extends unknown[], R>(name: string, action: (...args: A) => Promise<R>, options?: BreakerOptions): Breaker<A, R> {
    let b = this.breakers.get(name) as Breaker<A, R> | undefined;
    if (!b) {
      b = createBreaker(name, action, options);
      this.breakers.set(name, b);
    }
    return b;
  }

  shutdown(): void {
    for (const b of this.breakers.values()) b.shutdown();
    this.breakers.clear();
  }
}
