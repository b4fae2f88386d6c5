import { FatalError, OmniError, RetryableError } from '@omni/contracts';
import { isObject, optNum, optStr } from './guards';
import { HeaderBag, headerOf, parseRetryAfter } from './retry-after';

/** The Graph API error body: `{ error: { message, type, code, error_subcode, error_data, fbtrace_id } }`. */
export interface GraphError {
  code?: number;
  subcode?: number;
  message: string;
  details?: string;
  fbtraceId?: string;
}

export function readGraphError(body: unknown): GraphError {
  const e = isObject(body) && isObject(body.error) ? body.error : undefined;
  if (!e) return { message: typeof body === 'string' && body ? body.slice(0, 300) : 'no error body' };
  const data = isObject(e.error_data) ? e.error_data : undefined;
  return {
    code: optNum(e.code),
    subcode: optNum(e.error_subcode),
    message: optStr(e.message) ?? 'unknown Graph API error',
    details: optStr(data?.details),
    fbtraceId: optStr(e.fbtrace_id),
  };
}

export interface MetaCodeTable {
  provider: 'whatsapp' | 'messenger';
  /** Throttling and transient codes: retry, honouring any wait. */
  retryable: ReadonlyMap<number, { code: string; defaultWaitMs?: number }>;
  /** Known permanent failures with a stable code of ours. */
  fatal: ReadonlyMap<number, string>;
  /** Some meanings hide in the subcode (Messenger's window errors are code 10 / 2018278). */
  fatalSubcodes?: ReadonlyMap<number, string>;
}

/** Maps a failed Graph API response to a typed error; the provider code travels in `details`. */
export function mapGraphError(table: MetaCodeTable, status: number, body: unknown, headers?: HeaderBag): OmniError {
  const err = readGraphError(body);
  const providerCode = err.code === undefined ? `http_${status}` : String(err.code);
  const reason = err.details ? `${err.message}: ${err.details}` : err.message;
  const details = { provider: table.provider, providerCode, providerSubcode: err.subcode, httpStatus: status, reason, fbtraceId: err.fbtraceId };
  const retry = err.code === undefined ? undefined : table.retryable.get(err.code);
  const headerWait = parseRetryAfter(headerOf(headers, 'retry-after'));
  if (retry || status === 429) {
    return new RetryableError(retry?.code ?? 'rate_limited', `${table.provider} throttled (${providerCode}): ${reason}`, headerWait ?? retry?.defaultWaitMs, details);
  }
  if (status >= 500 || status === 408) {
    return new RetryableError('provider_unavailable', `${table.provider} unavailable (HTTP ${status}, ${providerCode}): ${reason}`, headerWait, details);
  }
  const code = (err.subcode !== undefined ? table.fatalSubcodes?.get(err.subcode) : undefined) ?? (err.code !== undefined ? table.fatal.get(err.code) : undefined);
  const fallback = status === 401 ? 'auth_failed' : status === 403 ? 'forbidden' : 'provider_rejected';
  return new FatalError(code ?? fallback, `${table.provider} rejected the message (${providerCode}): ${reason}`, details);
}
