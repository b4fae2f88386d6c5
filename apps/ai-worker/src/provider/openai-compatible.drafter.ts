import type { OnApplicationShutdown } from '@nestjs/common';
import { z } from 'zod';
import { FatalError, RetryableError } from '@omni/contracts';
import { Breaker, createBreaker } from '@omni/resilience';
import type { AnswerDrafter, DraftRequest } from '../answer/answer-drafter.port';
import type { AiWorkerConfig } from '../config';

export interface OpenAiCompatibleOptions {
  /** e.g. https://api.openai.com/v1 or a local server's /v1 (POST <baseUrl>/chat/completions). */
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly timeoutMs: number;
  /** Breaker tuning (tests open it faster). */
  readonly volumeThreshold?: number;
  readonly resetTimeoutMs?: number;
}

/** The part of the chat-completions response we read. */
const ChatCompletionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  en: 'English', es: 'Spanish', pt: 'Portuguese', fr: 'French', de: 'German', ar: 'Arabic', th: 'Thai', id: 'Indonesian', vi: 'Vietnamese', zh: 'Chinese',
};

export function chatMessages(req: DraftRequest): Array<{ role: 'system' | 'user'; content: string }> {
  const language = LANGUAGE_NAMES[req.language] ?? req.language;
  return [
    {
      role: 'system',
      content: [
        `You are the customer-service assistant of an online shop. Reply in ${language}, in at most three sentences.`,
        'Use only the facts in the knowledge-base article below; never invent prices, dates or policies.',
        'Keep placeholders such as [order_number_1] or [email_1] exactly as written.',
        `Knowledge-base article (intent ${req.intent}):\n${req.article}`,
      ].join('\n'),
    },
    { role: 'user', content: req.customerText },
  ];
}

/**
 * Chat completions on any OpenAI-compatible server (plain fetch: one POST needs no SDK). One breaker
 * for the provider with a timeout: when it is open, calls fail fast and the answerer keeps the
 * offline answer. No retry: a retried draft would only delay a reply that already exists offline.
 * 4xx other than 429 (a wrong key or model) are the configuration's fault and do not open the breaker.
 */
export class OpenAiCompatibleDrafter implements AnswerDrafter, OnApplicationShutdown {
  readonly name: string;
  readonly breaker: Breaker<[DraftRequest], string>;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.name = `openai-compatible:${options.model}`;
    this.breaker = createBreaker('ai-provider', (req: DraftRequest) => this.call(req), {
      timeout: options.timeoutMs,
      volumeThreshold: options.volumeThreshold ?? 5,
      resetTimeout: options.resetTimeoutMs ?? 30_000,
      isFailure: (err) => !(err instanceof FatalError),
    });
  }

  draft(request: DraftRequest): Promise<string> {
    return this.breaker.fire(request);
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  onApplicationShutdown(): void {
    this.shutdown();
  }

  private async call(req: DraftRequest): Promise<string> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
      },
      body: JSON.stringify({ model: this.options.model, temperature: 0.2, max_tokens: 400, messages: chatMessages(req) }),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!res.ok) {
      const message = `provider answered HTTP ${res.status}`;
      if (res.status === 429 || res.status >= 500) throw new RetryableError('provider_unavailable', message);
      throw new FatalError('provider_rejected', message);
    }
    const parsed = ChatCompletionSchema.safeParse(await res.json());
    if (!parsed.success) throw new RetryableError('provider_bad_response', 'provider response is not a chat completion');
    return parsed.data.choices[0]?.message.content ?? '';
  }
}

/** The configured provider, or null: without AI_BASE_URL and AI_MODEL nothing leaves the process. */
export function drafterFromConfig(c: Pick<AiWorkerConfig, 'AI_BASE_URL' | 'AI_API_KEY' | 'AI_MODEL' | 'AI_TIMEOUT_MS'>): OpenAiCompatibleDrafter | null {
  if (!c.AI_BASE_URL || !c.AI_MODEL) return null;
  return new OpenAiCompatibleDrafter({ baseUrl: c.AI_BASE_URL, apiKey: c.AI_API_KEY, model: c.AI_MODEL, timeoutMs: c.AI_TIMEOUT_MS });
}
