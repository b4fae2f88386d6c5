import { FatalError, RetryableError } from '@omni/contracts';
import { encodeTelegram, mapTelegramError, telegramPath } from '@omni/channels';
import { TelegramBotApiServer, startTelegramBotApiServer } from './telegram-bot-api';

const TOKEN = '987654321:FakeTokenForContractTests';
const command = {
  tenantId: 't1', region: 'eu-1', channel: 'telegram' as const, accountId: '987654321', conversationId: 'conv-1', messageId: 'msg-1',
  recipient: { channelUserId: '123456789' }, author: { kind: 'bot' as const },
  message: { type: 'text' as const, text: 'Hello', attachments: [] }, createdAt: '2026-06-10T12:00:00.000Z',
};

describe('Telegram Bot API contract server', () => {
  let server: TelegramBotApiServer;
  beforeEach(async () => {
    server = await startTelegramBotApiServer({ token: TOKEN });
  });
  afterEach(() => server.close());

  const call = async (chatId = '123456789', timeoutMs = 2000, srv = server) => {
    const [req] = encodeTelegram({ ...command, recipient: { channelUserId: chatId } });
    return fetch(`${srv.url}${telegramPath(TOKEN, req.path)}`, { method: 'POST', headers: req.headers, body: JSON.stringify(req.body), signal: AbortSignal.timeout(timeoutMs) });
  };

  it('answers ok:true with a Message and records the call', async () => {
    const res = await call();
    expect(await res.json()).toEqual({ ok: true, result: expect.objectContaining({ message_id: 1001, chat: { id: 123456789, type: 'private' }, text: 'Hello' }) });
    expect(server.requests).toEqual([expect.objectContaining({ path: `/bot${TOKEN}/sendMessage`, status: 200, body: { chat_id: '123456789', text: 'Hello' } })]);
  });

  it('refuses another token', async () => {
    const res = await fetch(`${server.url}/bot1:other/sendMessage`, { method: 'POST', body: '{}' });
    expect(await res.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  it('injects 429 with parameters.retry_after for the next N calls', async () => {
    server.inject({ kind: 'throttle', retryAfterSeconds: 5 }, 2);
    for (let i = 0; i < 2; i++) {
      const res = await call();
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } });
      expect((mapTelegramError(res.status, body) as RetryableError).retryAfterMs).toBe(5000);
    }
    expect((await call()).status).toBe(200);
  });

  it('injects 5xx, blocked-bot and chat-not-found errors', async () => {
    server.inject({ kind: 'server-error' });
    server.inject({ kind: 'error-code', code: 403 });
    server.inject({ kind: 'error-code', code: 400 });
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const res = await call();
      const err = mapTelegramError(res.status, await res.json());
      codes.push([err instanceof FatalError ? 'fatal' : 'retry', err.code]);
    }
    expect(codes).toEqual([['retry', 'provider_unavailable'], ['fatal', 'recipient_blocked'], ['fatal', 'chat_not_found']]);
  });

  it('injects delays and hangs', async () => {
    server.inject({ kind: 'delay', ms: 120 });
    const t0 = Date.now();
    expect((await call()).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    server.inject({ kind: 'hang' });
    await expect(call('123456789', 150)).rejects.toThrow(/timeout|aborted/i);
  });

  it('enforces 1 msg/s per chat and a per-bot limit', async () => {
    const limited = await startTelegramBotApiServer({ rateLimit: { perChat: { limit: 1, intervalMs: 1000 }, perBot: { limit: 3, intervalMs: 1000 } } });
    try {
      const statuses = [];
      for (const chat of ['1', '1', '2', '3', '4']) statuses.push((await call(chat, 2000, limited)).status);
      // chat 1 twice → per-chat limit; chats 1,2,3 fill the bot's 3/s → chat 4 is refused too.
      expect(statuses).toEqual([200, 429, 200, 200, 429]);
      const res = await call('5', 2000, limited);
      const body = (await res.json()) as { parameters: { retry_after: number } };
      expect(body.parameters.retry_after).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});
