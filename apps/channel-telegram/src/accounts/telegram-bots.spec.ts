import { DEMO_SECRETS_KEK } from '@omni/secrets';
import { TelegramConfigSchema } from '../config';
import type { BotApi } from '../outbound/bot-api';
import { memoryTelegramBots } from './telegram-bots.testing';

const ENV_TOKEN = '987654321:env-bot-token-abc';
const config = TelegramConfigSchema.parse({ SECRETS_KEK: DEMO_SECRETS_KEK, TENANT_ID: 'bootstrap', TELEGRAM_BOT_TOKEN: ENV_TOKEN, TELEGRAM_WEBHOOK_SECRET: 'env-telegram-webhook-secret', TELEGRAM_API_ROOT: 'http://127.0.0.1:9' });

function setup() {
  const clients: string[] = [];
  const clientFor = (token: string): BotApi => (clients.push(token), { call: async () => token });
  return { ...memoryTelegramBots(config, clientFor), clients };
}

describe('TelegramBots', () => {
  it('gives each connected bot its tenant, webhook secret and a client with its own token', async () => {
    const h = setup();
    await h.connect('555000111:acme-bot-token-xyz', 'acme', 'acme-webhook-secret-0001');
    const bot = await h.bots.bot('555000111');
    expect(bot).toMatchObject({ tenantId: 'acme', accountId: '555000111', webhookSecret: 'acme-webhook-secret-0001' });
    await expect(bot!.api.call('getMe', {})).resolves.toBe('555000111:acme-bot-token-xyz');
    await expect(h.bots.fileUrl('555000111', 'photos/a.jpg')).resolves.toBe('http://127.0.0.1:9/file/bot555000111:acme-bot-token-xyz/photos/a.jpg');
    await expect(h.bots.bot('444000111')).resolves.toBeUndefined();
  });

  it('falls back to the env only for the env bot while it is not stored', async () => {
    const h = setup();
    await expect(h.bots.bot('987654321')).resolves.toMatchObject({ tenantId: 'bootstrap', webhookSecret: 'env-telegram-webhook-secret' });
    const stored = setup();
    await stored.connect('987654321:stored-bot-token-abc', 'bootstrap', 'stored-webhook-secret-01');
    await expect(stored.bots.bot('987654321')).resolves.toMatchObject({ webhookSecret: 'stored-webhook-secret-01' });
    expect(stored.clients).toEqual(['987654321:stored-bot-token-abc']);
  });

  it('caches lookups (one client per bot) and never looks up what is not a bot id', async () => {
    const h = setup();
    await h.connect('555000111:acme-bot-token-xyz', 'acme', 'acme-webhook-secret-0001');
    await h.bots.bot('555000111');
    await h.bots.bot('555000111');
    await h.bots.bot('../../etc');
    expect(h.lookups).toEqual(['555000111']);
    expect(h.clients).toEqual(['555000111:acme-bot-token-xyz']);
  });
});
