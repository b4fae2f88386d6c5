import { Catch, RpcExceptionFilter } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { Observable, throwError } from 'rxjs';
import { OmniError, ValidationError } from '@omni/contracts';

const CODES: Record<string, status> = {
  validation_failed: status.INVALID_ARGUMENT,
  unauthorized: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  not_found: status.NOT_FOUND,
  conflict: status.FAILED_PRECONDITION,
  rate_limited: status.RESOURCE_EXHAUSTED,
};

/** Typed errors → gRPC status codes: the gRPC twin of HttpErrorFilter (STYLE.md §8). */
@Catch()
export class GrpcErrorFilter implements RpcExceptionFilter<unknown> {
  catch(err: unknown): Observable<never> {
    if (err instanceof OmniError) {
      const details = err instanceof ValidationError && err.issues.length ? `${err.message}: ${err.issues.map((i) => `${i.path} ${i.message}`).join('; ')}` : err.message;
      return throwError(() => ({ code: CODES[err.code] ?? (err.retryable ? status.UNAVAILABLE : status.FAILED_PRECONDITION), message: details }));
    }
    return throwError(() => ({ code: status.INTERNAL, message: 'internal error' }));
  }
}
