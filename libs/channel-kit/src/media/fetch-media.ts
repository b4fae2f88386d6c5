import { urlToHttpOptions } from 'node:url';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FatalError, OmniError, RetryableError } from '@omni/contracts';
import { parseRetryAfter } from '@omni/resilience';
import { MediaUrlGuard, redact } from './url-guard';

export interface FetchMediaOptions {
  guard: MediaUrlGuard;
  /** Sent to the first URL and to redirects on the same origin only (a token never leaves its host). */
  headers?: Record<string, string>;
  /** For the whole exchange, body included. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
}

export interface FetchedMedia {
  content: Buffer;
  /** The response's Content-Type without parameters, when the server sent one. */
  contentType?: string;
}

/**
 * GET one provider media URL through the SSRF guard: every hop (redirects are followed by hand, at
 * most `maxRedirects`) is checked, connections go through the guard's lookup, the body is capped at
 * `maxBytes`. Errors are typed: refused URLs, 4xx and oversize bodies are FatalErrors (retrying will
 * not help); network errors, timeouts, 429 and 5xx are RetryableErrors (429 with Retry-After).
 */
export async function fetchMedia(rawUrl: string, o: FetchMediaOptions): Promise<FetchedMedia> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  const first = o.guard.check(rawUrl);
  let url = first;
  for (let hop = 0; ; hop++) {
    const headers = url.origin === first.origin ? (o.headers ?? {}) : {};
    const res = await get(url, headers, o, signal);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= (o.maxRedirects ?? 3)) throw new FatalError('media_redirect_loop', `more than ${o.maxRedirects ?? 3} redirects from ${redact(rawUrl)}`);
      url = o.guard.check(new URL(res.headers.location, url).toString());
      continue;
    }
    if (status === 429 || status >= 500) {
      res.resume();
      throw new RetryableError('media_provider_unavailable', `HTTP ${status} from ${redact(url.toString())}`, parseRetryAfter(res.headers['retry-after']));
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw new FatalError('media_unavailable', `HTTP ${status} from ${redact(url.toString())}`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > o.maxBytes) {
      res.destroy();
      throw tooLarge(declared, o.maxBytes);
    }
    return { content: await readCapped(res, o.maxBytes, o.timeoutMs), contentType: res.headers['content-type']?.split(';')[0].trim().toLowerCase() || undefined };
  }
}

function get(url: URL, headers: Record<string, string>, o: FetchMediaOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // One options object (not `request(url, options, cb)`): a process where an old agent-base has
    // patched https.request (a dev dependency's dependency does) mistakes the callback form's options
    // for the listener and throws ERR_INVALID_ARG_TYPE — which made this refusal's test fail in CI.
    const req = request({ ...urlToHttpOptions(url), method: 'GET', headers, lookup: o.guard.lookup, signal }, resolve);
    req.on('error', (err) => reject(typed(err, url, o.timeoutMs)));
    req.end();
  });
}

async function readCapped(res: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.destroy();
        throw tooLarge(size, maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    throw typed(err, undefined, timeoutMs);
  }
  return Buffer.concat(chunks);
}

function tooLarge(size: number, max: number): FatalError {
  return new FatalError('media_too_large', `media of ${size} bytes exceeds the limit of ${max} bytes`);
}

function typed(err: unknown, url: URL | undefined, timeoutMs: number): OmniError {
  if (err instanceof OmniError) return err; // the guard's refusal from the lookup
  const e = err as Error;
  const where = url ? ` ${redact(url.toString())}` : '';
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return new RetryableError('media_timeout', `media fetch${where} took more than ${timeoutMs} ms`);
  return new RetryableError('media_unreachable', `media fetch${where} failed: ${e.message}`);
}
