import { backOff } from 'exponential-backoff';
import { RetryableError, isRetryable } from '@omni/contracts';

export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  /** First delay in ms; doubles each attempt (full jitter), capped by maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a provider-requested wait (Retry-After) before giving up to the caller. */
  maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Retries retryable errors with exponential backoff and jitter; a provider's own wait
 * (RetryableError.retryAfterMs, from Retry-After / retry_after) is honoured before the next attempt.
 * Non-retryable errors surface at once.
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  return backOff(fn, {
    numOfAttempts: policy.attempts,
    startingDelay: policy.baseDelayMs,
    maxDelay: policy.maxDelayMs,
    jitter: 'full',
    delayFirstAttempt: false,
    retry: async (err: unknown, attemptNumber: number) => {
      if (!isRetryable(err)) return false;
      // No attempt left: surface the error now instead of sleeping the provider's wait for nothing.
      if (attemptNumber >= policy.attempts) return false;
      if (err instanceof RetryableError && err.retryAfterMs) {
        if (err.retryAfterMs > (policy.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs ?? 30_000)) return false;
        await sleep(err.retryAfterMs);
      }
      return true;
    },
  });
}

/** Parses an HTTP Retry-After header (seconds or HTTP date) into ms. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
