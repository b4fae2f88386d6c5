import type { OnApplicationShutdown } from '@nestjs/common';
import { z } from 'zod';
import { FatalError, OmniError, RetryableError } from '@omni/contracts';
import { Breaker, RetryPolicy, createBreaker, parseRetryAfter, withRetry } from '@omni/resilience';
import type { Transcriber, TranscriptionRequest } from '../answer/transcriber.port';
import type { AiWorkerConfig } from '../config';

export interface OpenAiTranscriberOptions {
  /** e.g. https://api.openai.com/v1 (POST <baseUrl>/audio/transcriptions). */
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly timeoutMs: number;
  /** Attempts on 429/5xx/unreachable (the first included), backoff with jitter; tests shorten it. */
  readonly retry?: RetryPolicy;
  readonly volumeThreshold?: number;
  readonly resetTimeoutMs?: number;
}

/** The documented response (`response_format: json`): the transcript as `text`. */
const TranscriptionSchema = z.object({ text: z.string() });

/** The customer waits for the answer: two quick retries, and a provider asking for a longer pause is not waited for. */
const RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 300, maxDelayMs: 2_000, maxRetryAfterMs: 3_000 };

/**
 * Audio transcriptions on any OpenAI-compatible server: a multipart POST with the fields `file` and
 * `model` (plain fetch + FormData, no SDK). Each attempt runs through one breaker (`ai-transcription`)
 * with the timeout; 429, 5xx and an unreachable server are retried, then the caller hands the voice
 * note to a person. 4xx other than 429 are the configuration's fault: not retried, do not open it.
 */
export class OpenAiCompatibleTranscriber implements Transcriber, OnApplicationShutdown {
  readonly name: string;
  readonly breaker: Breaker<[TranscriptionRequest], string>;

  constructor(private readonly options: OpenAiTranscriberOptions) {
    this.name = `openai-compatible:${options.model}`;
    this.breaker = createBreaker('ai-transcription', (req: TranscriptionRequest) => this.call(req), {
      timeout: options.timeoutMs,
      volumeThreshold: options.volumeThreshold ?? 5,
      resetTimeout: options.resetTimeoutMs ?? 30_000,
      isFailure: (err) => !(err instanceof FatalError),
    });
  }

  transcribe(request: TranscriptionRequest): Promise<string> {
    return withRetry(async () => {
      try {
        return await this.breaker.fire(request);
      } catch (err) {
        // A timed-out transcription is not tried again: the customer would wait several timeouts.
        if (err instanceof RetryableError && err.code === 'dependency_timeout') throw new OmniError('provider_timeout', err.message, false);
        throw err;
      }
    }, this.options.retry ?? RETRY);
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  onApplicationShutdown(): void {
    this.shutdown();
  }

  private async call(req: TranscriptionRequest): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(req.audio)], { type: req.mime }), req.filename);
    form.append('model', this.options.model);
    form.append('response_format', 'json');
    let res: Response;
    try {
      res = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}/audio/transcriptions`, {
        method: 'POST',
        headers: this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {},
        body: form,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      // Counts for the breaker (not a FatalError) but is not retried, like the breaker's own timeout.
      if (err instanceof Error && err.name === 'TimeoutError') throw new OmniError('provider_timeout', `transcription timed out after ${this.options.timeoutMs} ms`, false);
      // fetch rejects with a TypeError when nothing answers: the server's fault, worth a retry.
      const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new RetryableError('provider_unreachable', `transcription provider unreachable (${why})`);
    }
    if (!res.ok) {
      const message = `transcription provider answered HTTP ${res.status}`;
      if (res.status === 429 || res.status >= 500) throw new RetryableError('provider_unavailable', message, parseRetryAfter(res.headers.get('retry-after')));
      throw new FatalError('provider_rejected', message);
    }
    const parsed = TranscriptionSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new RetryableError('provider_bad_response', 'transcription response has no text');
    return parsed.data.text;
  }
}

/** The configured transcriber, or null: without AI_BASE_URL and AI_TRANSCRIPTION_MODEL no audio leaves the process. */
export function transcriberFromConfig(
  c: Pick<AiWorkerConfig, 'AI_BASE_URL' | 'AI_API_KEY' | 'AI_TRANSCRIPTION_MODEL' | 'AI_TRANSCRIPTION_TIMEOUT_MS'>,
): OpenAiCompatibleTranscriber | null {
  if (!c.AI_BASE_URL || !c.AI_TRANSCRIPTION_MODEL) return null;
  return new OpenAiCompatibleTranscriber({ baseUrl: c.AI_BASE_URL, apiKey: c.AI_API_KEY, model: c.AI_TRANSCRIPTION_MODEL, timeoutMs: c.AI_TRANSCRIPTION_TIMEOUT_MS });
}
