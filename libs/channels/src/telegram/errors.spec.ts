import { FatalError, RetryableError } from '@omni/contracts';
import { failedStatusError } from '../common/errors';
import { mapTelegramError } from './errors';

const tg = (error_code: number, description: string, parameters?: Record<string, number>) => ({ ok: false, error_code, description, parameters });

describe('mapTelegramError', () => {
  it('honours parameters.retry_after on 429', () => {
    const err = mapTelegramError(429, tg(429, 'Too Many Requests: retry after 35', { retry_after: 35 }));
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(35_000);
  });

  it('falls back to the Retry-After header and retries 5xx', () => {
    expect((mapTelegramError(429, {}, { 'Retry-After': '3' }) as RetryableError).retryAfterMs).toBe(3000);
    expect(mapTelegramError(502, tg(502, 'Bad Gateway'))).toBeInstanceOf(RetryableError);
  });

  it.each([
    [403, 'Forbidden: bot was blocked by the user', 'recipient_blocked'],
    [403, 'Forbidden: user is deactivated', 'recipient_unavailable'],
    [400, 'Bad Request: chat not found', 'chat_not_found'],
    [401, 'Unauthorized', 'auth_failed'],
    [400, 'Bad Request: message text is empty', 'invalid_request'],
  ])('maps %i "%s" to FatalError %s', (code, description, ours) => {
    const err = mapTelegramError(code, tg(code, description));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.code).toBe(ours);
    expect(failedStatusError(err)).toEqual({ code: String(code), reason: description, retryable: false });
  });

  it('reports a migrated group with its new chat id', () => {
    const err = mapTelegramError(400, tg(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001234567890 }));
    expect(err.code).toBe('chat_migrated');
    expect(err.details).toMatchObject({ migrateToChatId: '-1001234567890' });
  });
});
