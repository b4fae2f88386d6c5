import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { OmniError, ValidationError } from '@omni/contracts';
import { activeTraceIds, rootLogger } from '@omni/telemetry';

const STATUS: Record<string, number> = {
  validation_failed: 400,
  bad_signature: 401,
  signature_invalid: 401,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
};

/**
 * Maps typed errors to HTTP in one place (STYLE.md §8): domain code never throws HTTP exceptions.
 * Retryable errors are 503 so providers redeliver; the body always has a reason and the trace id.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = rootLogger().child({ component: 'http' });

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { trace_id } = activeTraceIds();
    if (err instanceof HttpException) {
      const body = err.getResponse();
      res.status(err.getStatus()).json(typeof body === 'string' ? { error: 'http_error', reason: body, traceId: trace_id } : { ...body, traceId: trace_id });
      return;
    }
    if (err instanceof OmniError) {
      const status = STATUS[err.code] ?? (err.retryable ? 503 : 422);
      if (status >= 500) this.log.warn({ code: err.code, msg: err.message }, 'request failed (retryable)');
      const body: Record<string, unknown> = { error: err.code, reason: err.message, traceId: trace_id };
      if (err instanceof ValidationError && err.issues.length) body.issues = err.issues;
      if (err.retryable) res.setHeader('Retry-After', '5');
      res.status(status).json(body);
      return;
    }
    this.log.error({ err }, 'unhandled error');
    res.status(500).json({ error: 'internal', reason: 'internal error', traceId: trace_id });
  }
}
