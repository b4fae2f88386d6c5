import { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import { OmniError, RetryableError } from '@omni/contracts';
import { mapTelegramError } from '@omni/channels';
import type { TelegramConfig } from '../config';

/**
 * The Bot API as the transport sees it: one method call with a hard timeout, resolving with the
 * method's `result` or throwing a typed error (RetryableError / FatalError). Faked in unit tests.
 */
export interface BotApi {
  call(method: string, payload: Record<string, unknown>): Promise<unknown>;
}

type CallApi = (method: string, payload: Record<string, unknown>, extra: { signal: AbortSignal }) => Promise<unknown>;

/**
 * telegraf's `Telegram` client (the Bot API client the issue names) pointed at TELEGRAM_API_ROOT.
 * It keeps the token out of request descriptions and redacts it from network errors; its
 * `callApi` is typed per method, but the lib's encoder yields method names as data, hence one cast.
 */
export function telegrafBotApi(config: Pick<TelegramConfig, 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_API_ROOT' | 'TELEGRAM_HTTP_TIMEOUT_MS'>): BotApi {
  // webhookReply off: answers never ride on a webhook response (we answer webhooks only after Kafka acks).
  const telegram = new Telegram(config.TELEGRAM_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT, webhookReply: false });
  const callApi = telegram.callApi.bind(telegram) as unknown as CallApi;
  const timeoutMs = config.TELEGRAM_HTTP_TIMEOUT_MS;
  return {
    async call(method, payload) {
      try {
        return await callApi(method, payload, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw toTypedError(err, method, timeoutMs);
      }
    },
  };
}

/** telegraf throws TelegramError for Bot API answers (5xx included) and node-fetch errors otherwise. */
export function toTypedError(err: unknown, method: string, timeoutMs: number): OmniError {
  if (err instanceof OmniError) return err;
  if (err instanceof TelegramError) return mapTelegramError(err.code, err.response);
  const e = err as Error;
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return new RetryableError('provider_timeout', `${method}: no answer in ${timeoutMs} ms`);
  // node-fetch's messages name the URL; telegraf has already replaced the token in it.
  return new RetryableError('provider_unreachable', `${method}: ${e.message}`);
}
