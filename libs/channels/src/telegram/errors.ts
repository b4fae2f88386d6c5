import { FatalError, OmniError, RetryableError } from '@omni/contracts';
import { isObject, optNum, optStr } from '../common/guards';
import { HeaderBag, headerOf, parseRetryAfter } from '../common/retry-after';

/**
 * A failed Bot API call (`{ ok: false, error_code, description, parameters }`) → typed error.
 * Telegram says why only in `description` text, so the permanent cases are recognized by it.
 */
export function mapTelegramError(status: number, body: unknown, headers?: HeaderBag): OmniError {
  const b = isObject(body) ? body : {};
  const errorCode = optNum(b.error_code) ?? status;
  const description = optStr(b.description) ?? `HTTP ${status}`;
  const params = isObject(b.parameters) ? b.parameters : {};
  const details = { provider: 'telegram', providerCode: String(errorCode), httpStatus: status, reason: description };
  if (errorCode === 429) {
    const seconds = optNum(params.retry_after);
    const wait = seconds !== undefined ? seconds * 1000 : parseRetryAfter(headerOf(headers, 'retry-after'));
    return new RetryableError('rate_limited', `telegram throttled: ${description}`, wait, details);
  }
  if (errorCode >= 500 || status >= 500) return new RetryableError('provider_unavailable', `telegram unavailable: ${description}`, parseRetryAfter(headerOf(headers, 'retry-after')), details);
  // A group upgraded to a supergroup has a new chat id; the old one fails until the caller switches.
  const migrateTo = optNum(params.migrate_to_chat_id);
  if (migrateTo !== undefined) return new FatalError('chat_migrated', `telegram: ${description}`, { ...details, migrateToChatId: String(migrateTo) });
  return new FatalError(fatalCode(errorCode, description), `telegram rejected the message: ${description}`, details);
}

function fatalCode(code: number, description: string): string {
  const d = description.toLowerCase();
  if (code === 403 && d.includes('blocked')) return 'recipient_blocked';
  if (code === 403 && (d.includes('deactivated') || d.includes('kicked') || d.includes("can't initiate"))) return 'recipient_unavailable';
  if (code === 400 && d.includes('chat not found')) return 'chat_not_found';
  if (code === 401) return 'auth_failed';
  // 409: another getUpdates poller or a webhook owns the bot.
  if (code === 409) return 'conflict';
  if (code === 403) return 'forbidden';
  return 'invalid_request';
}
