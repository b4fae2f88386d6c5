import { Agent, request } from 'undici';
import { RetryableError } from '@omni/contracts';
import type { ProviderRequest } from '@omni/channels';

/**
 * One keep-alive pool per process for every provider. undici's `request` rather than `fetch`: the
 * same client under Node's fetch, without the WHATWG streams and Response objects around it —
 * measured here, a quarter of fetch's CPU per call (ADR 0011, eighth step).
 */
const providers = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

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
  let status: number;
  let text: string;
  let raw: Record<string, string | string[] | undefined>;
  try {
    const res = await request(url, {
      method: req.method as 'GET' | 'POST' | 'PUT' | 'DELETE',
      headers: { ...req.headers, ...(opts.headers ?? {}) },
      body: JSON.stringify(req.body),
      dispatcher: providers,
      // The whole exchange, body included, within the timeout.
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    status = res.statusCode;
    raw = res.headers;
    text = await res.body.text();
  } catch (err) {
    const e = err as Error;
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    throw new RetryableError(timedOut ? 'provider_timeout' : 'provider_unreachable', `${req.method} ${req.path}: ${timedOut ? `no answer in ${opts.timeoutMs} ms` : e.message}`);
  }
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* a non-JSON error page: keep the text for the error mapping */
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return { status, headers, body };
}
