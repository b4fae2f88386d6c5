import { TelegramBotApiServer, startTelegramBotApiServer } from '../../../../test/contract-servers/telegram-bot-api';
import type { RouterConfig } from '../config';
import { BotApiWebhooks, TELEGRAM_ALLOWED_UPDATES } from './telegram-webhooks';

const TOKEN = '123456789:AAH-abcdefghijklmnopqrstuvwxyz0123';
const URL_ = 'https://gw.example.test/webhooks/telegram/123456789';
const OTHER = '555555555:AAH-otherbototherbototherbotother01';
const OTHER_URL = 'https://gw.example.test/webhooks/telegram/555555555';

describe('BotApiWebhooks against the Bot API contract server', () => {
  let api: TelegramBotApiServer;
  let hooks: BotApiWebhooks;

  beforeAll(async () => {
    api = await startTelegramBotApiServer({ tokens: [TOKEN, OTHER] });
    hooks = new BotApiWebhooks({ TELEGRAM_API_ROOT: api.url, TELEGRAM_API_TIMEOUT_MS: 500 } as RouterConfig);
  });
  afterEach(() => api.reset());
  afterAll(async () => {
    hooks.onModuleDestroy();
    await api.close();
  });

  it('calls setWebhook with the URL, the secret token and the updates channel-telegram handles, each bot its own', async () => {
    await hooks.set(TOKEN, URL_, 'the-generated-secret');
    await hooks.set(OTHER, OTHER_URL, 'another-secret');
    expect(api.requests.map((r) => [r.path, r.body])).toEqual([
      [`/bot${TOKEN}/setWebhook`, { url: URL_, secret_token: 'the-generated-secret', allowed_updates: [...TELEGRAM_ALLOWED_UPDATES] }],
      [`/bot${OTHER}/setWebhook`, { url: OTHER_URL, secret_token: 'another-secret', allowed_updates: [...TELEGRAM_ALLOWED_UPDATES] }],
    ]);
  });

  it('retries a failing Bot API and succeeds once it answers', async () => {
    api.inject({ kind: 'server-error', status: 502 }, 2);
    await hooks.set(TOKEN, URL_, 's');
    expect(api.requests.map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('answers a token Telegram does not know as a 400 naming botToken, without retrying or echoing the token', async () => {
    const err = (await hooks.set('987654321:AAH-unknownunknownunknownunknown1', URL_, 's').catch((e: unknown) => e)) as { code: string; issues: { path: string }[]; message: string };
    expect(err.code).toBe('validation_failed');
    expect(err.issues.map((i) => i.path)).toEqual(['botToken']);
    expect(JSON.stringify(err)).not.toContain('unknownunknown');
    expect(api.requests).toHaveLength(1);
  });

  it('gives up on a Bot API that hangs after its timeout, retryable (503)', async () => {
    const fresh = new BotApiWebhooks({ TELEGRAM_API_ROOT: api.url, TELEGRAM_API_TIMEOUT_MS: 300 } as RouterConfig);
    api.inject({ kind: 'hang' }, 3);
    try {
      const err = (await fresh.set(TOKEN, URL_, 's').catch((e: unknown) => e)) as { code: string; retryable: boolean; message: string };
      expect([err.code, err.retryable, err.message]).toEqual(['provider_unavailable', true, 'telegram setWebhook: the Bot API did not answer in time']);
    } finally {
      fresh.onModuleDestroy();
    }
    expect(api.requests).toHaveLength(3);
  }, 10_000);
});
