import { z } from 'zod';
import { MediaEnvShape, commaList } from '@omni/channel-kit';
import { InfraEnvSchema, loadConfig } from '@omni/platform';
import { DEMO_SECRETS_KEK, SecretsEnvShape } from '@omni/secrets';

export const TelegramConfigSchema = InfraEnvSchema.extend({
  /** Opens the credentials of the bots connected through the router's API (ADR 0600); the same KEKs as the router. */
  ...SecretsEnvShape,
  /** The default bot; its numeric id (before the colon) is our account id. */
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]{8,}$/, 'like 123456789:AAE… (from @BotFather)'),
  /** setWebhook's secret_token, echoed by Telegram in X-Telegram-Bot-Api-Secret-Token. */
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16-256 characters of A-Z, a-z, 0-9, _ and -'),
  /** A self-hosted Bot API server or a regional proxy; tests point it at the contract server. */
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
  TELEGRAM_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Bot API FAQ: about 30 messages/s per bot and 1/s per chat. */
  TELEGRAM_RATE_PER_SECOND: z.coerce.number().min(0.1).max(1_000).default(30),
  TELEGRAM_RATE_PER_CHAT_PER_SECOND: z.coerce.number().min(0.01).max(100).default(1),
  /** How long an open breaker (Bot API failing) waits before one trial send. */
  TELEGRAM_BREAKER_RESET_MS: z.coerce.number().int().min(500).max(600_000).default(10_000),
  /** Hosts files may be downloaded from besides TELEGRAM_API_ROOT (SSRF guard, ADR 0420): none by default. */
  TELEGRAM_MEDIA_HOSTS: z.string().default('').transform(commaList),
  ...MediaEnvShape,
});
export type TelegramConfig = z.output<typeof TelegramConfigSchema>;
export const TELEGRAM_CONFIG = Symbol('TELEGRAM_CONFIG');

/** Harmless values for the local demo/test profiles only; production must set both secrets. */
const DEMO = {
  TELEGRAM_BOT_TOKEN: '1000000001:demo-bot-token-not-real',
  TELEGRAM_WEBHOOK_SECRET: 'demo-telegram-webhook-secret',
  SECRETS_KEK: DEMO_SECRETS_KEK,
};

export function loadTelegramConfig(env: NodeJS.ProcessEnv = process.env): TelegramConfig {
  return loadConfig('channel-telegram', TelegramConfigSchema, DEMO, env);
}
