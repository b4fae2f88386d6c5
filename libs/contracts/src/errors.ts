/**
 * Typed errors shared by every layer. Domain and worker code throw these, never HTTP exceptions;
 * one filter per transport maps them (HTTP status, Kafka retry/DLQ, gRPC status).
 */
export class OmniError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** true = a later attempt may succeed (timeouts, 5xx, breaker open, throttling). */
    readonly retryable: boolean,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that will never become valid by retrying: a 4xx at the edge, a DLQ record on consume. */
export class ValidationError extends OmniError {
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super('validation_failed', message, false, { issues });
  }
}

export class NotFoundError extends OmniError {
  constructor(what: string) {
    super('not_found', `${what} not found`, false);
  }
}

/** A dependency is unavailable or throttling; `retryAfterMs` carries the provider's own wait. */
export class RetryableError extends OmniError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterMs?: number,
    details?: Record<string, unknown>,
  ) {
    super(code, message, true, details);
  }
}

/**
 * Not a failure: the record must wait for something before it may run — its place behind another
 * record of its key (a send held behind an undecided send of its conversation). A consumer parks it
 * again after `recheckMs` (growing with each wait) without spending its retry budget.
 */
export class WaitError extends RetryableError {
  constructor(
    code: string,
    message: string,
    readonly recheckMs: number,
  ) {
    super(code, message);
  }
}

export class FatalError extends OmniError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, false, details);
  }
}

/**
 * Unknown errors are treated as retryable: they are usually infrastructure (a dropped connection),
 * and the retry budget is bounded, so a real bug still ends in the DLQ instead of stalling a partition.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof OmniError) return err.retryable;
  if (err instanceof SyntaxError || err instanceof TypeError || err instanceof RangeError) return false;
  if (err instanceof Error && err.name === 'ZodError') return false;
  return true;
}

export function errorSummary(err: unknown): { code: string; message: string; retryable: boolean } {
  if (err instanceof OmniError) return { code: err.code, message: err.message, retryable: err.retryable };
  if (err instanceof Error) return { code: err.name, message: err.message, retryable: isRetryable(err) };
  return { code: 'unknown', message: String(err), retryable: true };
}
