import { RetryableError } from '@omni/contracts';
import type { ProviderRequest } from '@omni/channels';

export interface ProviderResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * One HTTP call to a provider (Graph API, Bot API) with a hard timeout. Network failures and
 * timeouts are retryable; HTTP errors are returned for the channel's own error mapping.
 */
export async function callProvider(
  baseUrl: string,
  req: ProviderRequest,
  opts: { headers?: Record<string, string>; pathPrefix?: string; timeoutMs: number },
): Promise<ProviderResponse> {
  const url = baseUrl.replace(/\/+$/, '') + (opts.pathPrefix ?? '') + req.path;
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method,
      headers: { ...req.headers, ...(opts.headers ?? {}) },
      body: JSON.stringify(req.body),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    throw new RetryableError(timedOut ? 'provider_timeout' : 'provider_unreachable', `${req.method} ${req.path}: ${timedOut ? `no answer in ${opts.timeoutMs} ms` : e.message}`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* a non-JSON error page: keep the text for the error mapping */
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, body };
}
