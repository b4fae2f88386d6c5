import { Attachment, FatalError, InboundMessage, RetryableError, errorSummary, isRetryable } from '@omni/contracts';
import type { DecodeResult } from '@omni/channels';
import { Slots } from '@omni/messaging';
import { BreakerOptions, BreakerRegistry, RetryPolicy, withRetry, withTimeout } from '@omni/resilience';
import { counter, rootLogger } from '@omni/telemetry';
import { type MediaStore, mimeAllowed } from '@omni/persistence';

/** A channel's way to get the bytes behind one of its inbound attachments (through fetchMedia). */
export interface MediaSource {
  fetch(attachment: Attachment, message: InboundMessage): Promise<{ content: Buffer; contentType?: string }>;
}

export interface MediaLimits {
  maxBytes: number;
  /** `type/subtype` or `type/*` patterns. */
  allowedTypes: readonly string[];
}

export interface MediaIngestDeps {
  store: MediaStore;
  limits: MediaLimits;
  breakers: BreakerRegistry;
  retry: RetryPolicy;
  breaker?: BreakerOptions;
  /**
   * All of one webhook's attachments, fetched `fetchesAtOnce` at a time, must be stored within
   * `deadlineMs` — well inside the provider's own timeout (Meta waits about 20 s), or the provider
   * times out and redelivers while we still fetch. Past it the webhook fails retryably (503).
   */
  deadlineMs: number;
  fetchesAtOnce: number;
}

export { mimeAllowed };

/** Servers that do not know the type say octet-stream (Telegram's file server always does). */
const UNSPECIFIC = new Set(['application/octet-stream', 'binary/octet-stream']);

/**
 * Fetches and stores every attachment of a decoded webhook before it is published, and references
 * the stored copy from the event (`storeId`). A permanent problem — over the size limit, a type not
 * allowed, a URL the provider does not own, a 4xx — keeps the message and marks the attachment with
 * `storeError`; a transient one (timeout, 5xx, breaker open) throws a RetryableError so the webhook
 * answers 503 and the provider redelivers (the deterministic ids and the content-addressed store
 * make that a no-op for what did get through). Fetches of one account share a breaker.
 */
export class MediaIngest {
  private readonly log = rootLogger().child({ component: 'media-ingest' });
  private readonly outcomes = counter('omni_media_ingest_total', 'Inbound attachments by outcome', ['channel', 'outcome']);

  constructor(private readonly deps: MediaIngestDeps) {}

  /** Nest calls this on shutdown: the breakers' rolling-window timers stop. */
  onApplicationShutdown(): void {
    this.deps.breakers.shutdown();
  }

  async storeAll(result: DecodeResult, source: MediaSource): Promise<DecodeResult> {
    if (!result.messages.some((m) => m.message.attachments.some((a) => !a.storeId && !a.storeError))) return result;
    // In parallel, a few at a time (a batched webhook must not fan out unbounded), under one deadline.
    const slots = new Slots(this.deps.fetchesAtOnce);
    const one = async (a: Attachment, m: InboundMessage): Promise<Attachment> => {
      if (a.storeId || a.storeError) return a;
      const release = await slots.acquire();
      try {
        return await this.storeOne(a, m, source);
      } finally {
        release();
      }
    };
    const all = Promise.all(result.messages.map(async (m) => {
      if (!m.message.attachments.some((a) => !a.storeId && !a.storeError)) return m;
      const attachments = await Promise.all(m.message.attachments.map((a) => one(a, m)));
      return { ...m, message: { ...m.message, attachments } };
    }));
    const messages = await withTimeout(all, this.deps.deadlineMs, 'storing the webhook’s media');
    return { ...result, messages };
  }

  private async storeOne(a: Attachment, m: InboundMessage, source: MediaSource): Promise<Attachment> {
    const { limits, store } = this.deps;
    try {
      if (!mimeAllowed(a.mime, limits.allowedTypes)) throw new FatalError('media_type_refused', `type ${a.mime} is not in MEDIA_ALLOWED_TYPES`);
      if (a.size !== undefined && a.size > limits.maxBytes) throw new FatalError('media_too_large', `media of ${a.size} bytes exceeds the limit of ${limits.maxBytes} bytes`);
      // The source is an argument, not captured: the registry keeps the first action it was given.
      const breaker = this.deps.breakers.get(`media:${m.channel}:${m.accountId}`, (src: MediaSource, att: Attachment, msg: InboundMessage) => src.fetch(att, msg), {
        ...this.deps.breaker,
        // A refused URL or a 404 is the payload's problem, not the provider being down.
        isFailure: (err) => isRetryable(err),
      });
      const fetched = await withRetry(() => breaker.fire(source, a, m), this.deps.retry);
      if (fetched.content.length > limits.maxBytes) throw new FatalError('media_too_large', `media of ${fetched.content.length} bytes exceeds the limit of ${limits.maxBytes} bytes`);
      const served = fetched.contentType && !UNSPECIFIC.has(fetched.contentType) ? fetched.contentType : undefined;
      if (served && !mimeAllowed(served, limits.allowedTypes)) throw new FatalError('media_type_refused', `served as ${served}, not in MEDIA_ALLOWED_TYPES`);
      const mime = served ?? a.mime;
      const stored = await store.put(m.tenantId, fetched.content, { mime, filename: a.filename, source: `${m.channel}:${m.accountId}:${m.message.channelMessageId}` }).catch((err: unknown) => {
        throw new RetryableError('media_store_unavailable', `media store: ${(err as Error).message}`);
      });
      if (a.sha256 && a.sha256.toLowerCase() !== stored.storeId) {
        // Kept (the bytes are what the provider served) but flagged: agents should know.
        this.log.warn({ channel: m.channel, messageId: m.message.channelMessageId, expected: a.sha256, got: stored.storeId }, 'attachment hash differs from the provider-declared sha256');
      }
      this.outcomes.inc({ channel: m.channel, outcome: 'stored' });
      return { ...a, mime, storeId: stored.storeId, size: stored.size, sha256: stored.storeId };
    } catch (err) {
      if (isRetryable(err)) {
        this.outcomes.inc({ channel: m.channel, outcome: 'retry' });
        const e = errorSummary(err);
        throw new RetryableError(e.code, `attachment of ${m.message.channelMessageId} not stored: ${e.message}`, (err as RetryableError).retryAfterMs);
      }
      const e = errorSummary(err);
      this.outcomes.inc({ channel: m.channel, outcome: e.code });
      this.log.warn({ channel: m.channel, messageId: m.message.channelMessageId, code: e.code, reason: e.message }, 'attachment not stored');
      return { ...a, storeError: { code: e.code.slice(0, 64), reason: e.message.slice(0, 512) } };
    }
  }
}
