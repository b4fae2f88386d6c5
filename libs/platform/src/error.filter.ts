import { ArgumentsHost, Catch, ExceptionFilter, HttpException, type HttpServer } from '@nestjs/common';
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

/** What the HTTP platform rejected before a controller ran (body too large, unsupported media type, unreadable body). */
const CLIENT_ERRORS: Record<number, string> = { 413: 'payload_too_large', 415: 'unsupported_media_type' };

function platformClientError(err: unknown): { status: number; message: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const status = (err as { statusCode?: unknown; status?: unknown }).statusCode ?? (err as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? { status, message: err.message } : undefined;
}

/**
 * Maps typed errors to HTTP in one place (STYLE.md §8): domain code never throws HTTP exceptions.
 * Retryable errors are 503 so providers redeliver; the body always has a reason and the trace id.
 * Written against Nest's HTTP adapter, so it serves the Express and the Fastify apps alike.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = rootLogger().child({ component: 'http' });

  constructor(private readonly http: HttpServer) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res: unknown = host.switchToHttp().getResponse();
    const { trace_id } = activeTraceIds();
    // A JSON body even where the route had declared another type (the handshake's text/plain).
    this.http.setHeader(res, 'content-type', 'application/json; charset=utf-8');
    if (err instanceof HttpException) {
      const body = err.getResponse();
      this.http.reply(res, typeof body === 'string' ? { error: 'http_error', reason: body, traceId: trace_id } : { ...body, traceId: trace_id }, err.getStatus());
      return;
    }
    if (err instanceof OmniError) {
      const status = STATUS[err.code] ?? (err.retryable ? 503 : 422);
      if (status >= 500) this.log.warn({ code: err.code, msg: err.message }, 'request failed (retryable)');
      const body: Record<string, unknown> = { error: err.code, reason: err.message, traceId: trace_id };
      if (err instanceof ValidationError && err.issues.length) body.issues = err.issues;
      if (err.retryable) this.http.setHeader(res, 'Retry-After', '5');
      this.http.reply(res, body, status);
      return;
    }
    const client = platformClientError(err);
    if (client) {
      this.http.reply(res, { error: CLIENT_ERRORS[client.status] ?? 'bad_request', reason: client.message, traceId: trace_id }, client.status);
      return;
    }
    this.log.error({ err }, 'unhandled error');
    this.http.reply(res, { error: 'internal', reason: 'internal error', traceId: trace_id }, 500);
  }
}
