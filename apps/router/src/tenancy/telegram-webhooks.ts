import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { OmniError, RetryableError, ValidationError } from '@omni/contracts';
import { BreakerRegistry, withRetry } from '@omni/resilience';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

/** The updates channel-telegram handles (the same list as `npm run telegram:set-webhook`). */
export const TELEGRAM_ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'message_reaction'] as const;

/** Points a bot's webhook at the gateway: Telegram then sends its updates there with `secret` in X-Telegram-Bot-Api-Secret-Token. */
export interface TelegramWebhooks {
  set(botToken: string, url: string, secret: string): Promise<void>;
}
export const TELEGRAM_WEBHOOKS = Symbol('TelegramWebhooks');

/**
 * Bot API `setWebhook` over fetch: each request aborted at TELEGRAM_API_TIMEOUT_MS, one opossum
 * breaker for the Bot API host (no breaker timeout: the abort ends the request, ADR/issue 15 #11),
 * retried on 5xx, 429 (retry_after) and network failures. A token Telegram does not know (401/404)
 * is the caller's 400 naming botToken; any other refusal is a 422 with Telegram's description. The
 * token is part of the URL and never logged or put in an error.
 */
@Injectable()
export class BotApiWebhooks implements TelegramWebhooks, OnModuleDestroy {
  private readonly breakers = new BreakerRegistry();

  constructor(@Inject(ROUTER_CONFIG) private readonly config: RouterConfig) {}

  async set(botToken: string, url: string, secret: string): Promise<void> {
    const root = this.config.TELEGRAM_API_ROOT;
    // One breaker per host, made once: everything a call needs goes through fire(), never the first caller's closure.
    const breaker = this.breakers.get(`telegram:${new URL(root).host}`, (t: string, u: string, s: string) => this.call(root, t, u, s), {
      timeout: false,
      volumeThreshold: 5,
      resetTimeout: 10_000,
      isFailure: (err) => !(err instanceof OmniError) || err.retryable,
    });
    await withRetry(() => breaker.fire(botToken, url, secret), { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 });
  }

  onModuleDestroy(): void {
    this.breakers.shutdown();
  }

  private async call(root: string, botToken: string, url: string, secret: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(`${root.replace(/\/$/, '')}/bot${botToken}/setWebhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url, secret_token: secret, allowed_updates: TELEGRAM_ALLOWED_UPDATES }),
        signal: AbortSignal.timeout(this.config.TELEGRAM_API_TIMEOUT_MS),
      });
    } catch (err) {
      const why = (err as { name?: string }).name === 'TimeoutError' ? 'did not answer in time' : 'is unreachable';
      throw new RetryableError('provider_unavailable', `telegram setWebhook: the Bot API ${why}`);
    }
    const body = (await res.json().catch(() => ({}))) as { ok?: boolean; description?: string; parameters?: { retry_after?: number } };
    if (res.ok && body.ok) return;
    const description = String(body.description ?? res.statusText).slice(0, 200);
    if (res.status === 429) throw new RetryableError('throttled', `telegram setWebhook: ${description}`, (body.parameters?.retry_after ?? 1) * 1_000);
    if (res.status >= 500) throw new RetryableError('provider_unavailable', `telegram setWebhook: ${res.status} ${description}`);
    if (res.status === 401 || res.status === 404) throw new ValidationError('invalid body', [{ path: 'botToken', message: `Telegram does not know this bot token (${res.status})` }]);
    throw new OmniError('provider_rejected', `telegram setWebhook refused: ${description}`, false);
  }
}
