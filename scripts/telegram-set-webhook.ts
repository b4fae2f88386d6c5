// Points the bot's webhook at this gateway, with the secret token Telegram echoes on every update:
//   npm run telegram:set-webhook -- --url https://gateway.example.com/webhooks/telegram [--drop-pending]
//   npm run telegram:set-webhook -- --delete
// Env: TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_API_ROOT (default https://api.telegram.org),
// and TELEGRAM_WEBHOOK_URL instead of --url.
import { parseArgs } from 'node:util';
import { Telegram } from 'telegraf';
import { z } from 'zod';

// The same names and rules as channel-telegram's config (scripts do not import apps).
const EnvSchema = z.object({
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]{8,}$/, 'like 123456789:AAE… (from @BotFather)'),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16-256 characters of A-Z, a-z, 0-9, _ and -'),
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
});

/** Exactly the update kinds the decoder turns into events; others would only be reported as ignored. */
// message_reaction is sent only when asked for: the customer's 👍/👎 on the bot's answers (ADR 0104).
const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'message_reaction'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, 'drop-pending': { type: 'boolean', default: false }, delete: { type: 'boolean', default: false } },
  });
  const env = EnvSchema.safeParse(process.env);
  if (!env.success) throw new Error(`invalid configuration:\n${env.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  const { TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_API_ROOT } = env.data;
  const telegram = new Telegram(TELEGRAM_BOT_TOKEN, { apiRoot: TELEGRAM_API_ROOT, webhookReply: false });
  if (values.delete) {
    await telegram.deleteWebhook({ drop_pending_updates: values['drop-pending'] });
    console.log('webhook deleted');
    return;
  }
  const url = values.url ?? process.env.TELEGRAM_WEBHOOK_URL;
  if (!url) throw new Error('usage: npm run telegram:set-webhook -- --url https://<host>/webhooks/telegram [--drop-pending] (or TELEGRAM_WEBHOOK_URL)');
  // Telegram delivers webhooks over HTTPS only (ports 443, 80, 88 or 8443).
  if (new URL(url).protocol !== 'https:') throw new Error(`the webhook URL must be https, got ${url}`);
  await telegram.setWebhook(url, {
    secret_token: TELEGRAM_WEBHOOK_SECRET,
    allowed_updates: [...ALLOWED_UPDATES],
    drop_pending_updates: values['drop-pending'],
  });
  // The token and secret are never printed.
  console.log(`webhook set to ${url} (updates: ${ALLOWED_UPDATES.join(', ')})`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
