import { isRetryable } from '@omni/contracts';
import type { ProviderRequest } from '@omni/channels';
import { SpanKind, traceHeadersOf, withSpan } from '@omni/telemetry';
import { ProviderResponse, callProvider } from './http-transport';
import type { Pace } from './outbound-sender';

/**
 * The parts of one message (a split text, media and their caption…), sent in order. When part k
 * fails with a retryable error, the in-place retry of the same message resumes at part k: parts the
 * provider accepted are not sent again. Progress is kept per messageId in this process until the
 * message is sent or fails for good, for at most `maxTracked` messages awaiting a retry (the oldest
 * is forgotten first: its retry would then send it whole).
 */
export class MessageParts {
  private readonly progress = new Map<string, { done: number; lastId?: string }>();

  constructor(private readonly maxTracked = 10_000) {}

  /** `sendPart` sends one part and returns its provider id, if the provider gave one; the last one given is the message's. */
  async send<P>(messageId: string, parts: readonly P[], sendPart: (part: P, index: number) => Promise<string | undefined>): Promise<{ providerMessageId?: string }> {
    const progress = this.progress.get(messageId) ?? { done: 0 };
    this.progress.set(messageId, progress);
    try {
      for (let i = progress.done; i < parts.length; i++) {
        progress.lastId = (await sendPart(parts[i], i)) ?? progress.lastId;
        progress.done = i + 1;
      }
      this.progress.delete(messageId);
      return { providerMessageId: progress.lastId };
    } catch (err) {
      if (!isRetryable(err)) this.progress.delete(messageId);
      else if (this.progress.size > this.maxTracked) this.progress.delete(this.progress.keys().next().value as string);
      throw err;
    }
  }
}

export interface TracedCall {
  /** The client span's name, e.g. `whatsapp send`. */
  span: string;
  messageId: string;
  baseUrl: string;
  bearer: string;
  timeoutMs: number;
  /** The channel's typed error (RetryableError / FatalError) for a non-2xx answer. */
  mapError(status: number, body: unknown, headers: Record<string, string>): Error;
}

/**
 * One provider request with a bearer token, after the limiter's slot (`pace`), in a client span whose
 * traceparent rides along (the webhook's trace reaches the provider call). The slot is handed back
 * once the request is answered or failed: from then on the limiter counts it by its end.
 */
export async function callProviderTraced(req: ProviderRequest, pace: Pace, o: TracedCall): Promise<ProviderResponse> {
  const done = await pace();
  return withSpan(o.span, SpanKind.CLIENT, { 'omni.message_id': o.messageId, 'url.path': req.path }, async (span) => {
    let r: ProviderResponse;
    try {
      r = await callProvider(o.baseUrl, req, { headers: { authorization: `Bearer ${o.bearer}`, ...traceHeadersOf(span) }, timeoutMs: o.timeoutMs });
    } finally {
      done();
    }
    span.setAttribute('http.response.status_code', r.status);
    if (r.status < 200 || r.status >= 300) throw o.mapError(r.status, r.body, r.headers);
    return r;
  });
}
