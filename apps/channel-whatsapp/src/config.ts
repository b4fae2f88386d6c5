import { z } from 'zod';
import type { TemplateDef } from '@omni/channels';
import { MediaEnvShape, commaList } from '@omni/channel-kit';
import { InfraEnvSchema, loadConfig } from '@omni/platform';
import { DEMO_SECRETS_KEK, SecretsEnvShape } from '@omni/secrets';

const TemplatesSchema = z.array(
  z.object({
    name: z.string().min(1),
    language: z.string().min(2),
    status: z.enum(['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED']),
    category: z.enum(['UTILITY', 'MARKETING', 'AUTHENTICATION']).optional(),
    bodyParams: z.number().int().min(0).optional(),
  }),
);

/** Templates arrive as JSON in one env value (Helm renders them from values). */
const templatesFromJson = z.string().transform((raw, ctx): TemplateDef[] => {
  try {
    const parsed = TemplatesSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not JSON: ${(err as Error).message}` });
  }
  return z.NEVER;
});

export const WhatsAppConfigSchema = InfraEnvSchema.extend({
  /** Opens the credentials of the accounts connected through the router's API (ADR 0600); the same KEKs as the router. */
  ...SecretsEnvShape,
  /** The Cloud API four: all set, or none in a linked-device-only deployment (checked below). */
  WHATSAPP_VERIFY_TOKEN: z.string().min(8).optional(),
  WHATSAPP_APP_SECRET: z.string().min(8).optional(),
  WHATSAPP_ACCESS_TOKEN: z.string().min(8).optional(),
  /** The default account: its phone number id is also our account id. */
  WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d+$/, 'digits only (Meta phone number id)').optional(),
  WHATSAPP_API_BASE_URL: z.url().default('https://graph.facebook.com'),
  WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'like v23.0').default('v23.0'),
  WHATSAPP_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Approved templates of the default account, e.g. [{"name":"reengage","language":"en","status":"APPROVED","bodyParams":1}]. */
  WHATSAPP_TEMPLATES: templatesFromJson.default([]),
  /** Template sent instead of free text outside the 24-hour window (its {{1}} carries the text). */
  WHATSAPP_FALLBACK_TEMPLATE: z.string().min(1).default('reengage'),
  /**
   * Linked-device accounts (whatsapp-web.js, ADR 0421): our account ids, comma-separated, letters,
   * digits, _ and -. Empty = Cloud API only. Outbound commands for these accounts go through their
   * client; every other account through the Cloud API.
   */
  WHATSAPP_WEB_ACCOUNTS: z.string().default('').transform(commaList).pipe(z.array(z.string().regex(/^[-_\w]+$/, 'letters, digits, _ and - only (RemoteAuth clientId)'))),
  /** Debian's chromium; puppeteer never downloads a browser here (.puppeteerrc.cjs). */
  WHATSAPP_WEB_CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  WHATSAPP_WEB_CHROMIUM_ARGS: z.string().default('').transform((s) => s.split(/\s+/).filter(Boolean)),
  WHATSAPP_WEB_HEADLESS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Where RemoteAuth unpacks the session while a client runs (the durable copy is in MongoDB). */
  WHATSAPP_WEB_DATA_DIR: z.string().min(1).default('.local/data/wwebjs'),
  /** How often RemoteAuth saves the session to MongoDB (its minimum is 60 s). */
  WHATSAPP_WEB_BACKUP_INTERVAL_MS: z.coerce.number().int().min(60_000).default(300_000),
  /** Reconnect backoff: first wait and cap. */
  WHATSAPP_WEB_RECONNECT_BASE_MS: z.coerce.number().int().min(10).default(2_000),
  WHATSAPP_WEB_RECONNECT_MAX_MS: z.coerce.number().int().min(100).default(300_000),
  /** One instance runs an account's client; others take over when its lease is not renewed for this long. */
  WHATSAPP_WEB_LEASE_TTL_MS: z.coerce.number().int().min(30).max(600_000).default(30_000),
  /**
   * After a (re)connect, the messages of each chat with unread or newer messages are fetched, up to
   * this many per chat, and those not older than the last one seen are published; 0 = no catch-up.
   */
  WHATSAPP_WEB_CATCHUP_LIMIT: z.coerce.number().int().min(0).max(1_000).default(50),
  /**
   * How long one whatsapp-web.js send may take before it is given up. The page cannot be told to
   * stop, so the message may still go out: the send fails as `linked_device_send_timeout` and is not
   * retried (a retry could deliver it twice).
   */
  WHATSAPP_WEB_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** Bearer token of the pairing endpoints (`GET /linked-device/:accountId/qr`). */
  WHATSAPP_WEB_ADMIN_TOKEN: z.string().min(16).optional(),
  /** Hosts media download URLs may point at, besides the API base URL (SSRF guard, ADR 0420). */
  WHATSAPP_MEDIA_HOSTS: z.string().default('*.fbsbx.com,*.fbcdn.net').transform(commaList),
  ...MediaEnvShape,
});
export type WhatsAppConfig = z.output<typeof WhatsAppConfigSchema>;

const CLOUD_API = ['WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID'] as const;

const CompleteConfig = WhatsAppConfigSchema
  // A linked-device account without a way to pair it would wait for a QR nobody can fetch.
  .refine((c) => c.WHATSAPP_WEB_ACCOUNTS.length === 0 || c.WHATSAPP_WEB_ADMIN_TOKEN !== undefined, {
    message: 'WHATSAPP_WEB_ACCOUNTS needs WHATSAPP_WEB_ADMIN_TOKEN (the pairing QR endpoint is authenticated)',
    path: ['WHATSAPP_WEB_ADMIN_TOKEN'],
  })
  // Small businesses without Cloud API access run linked-device accounts only (ADR 0421).
  .superRefine((c, ctx) => {
    const missing = CLOUD_API.filter((k) => c[k] === undefined);
    if (missing.length === 0 || (missing.length === CLOUD_API.length && c.WHATSAPP_WEB_ACCOUNTS.length > 0)) return;
    for (const k of missing) ctx.addIssue({ code: 'custom', path: [k], message: 'required for the Cloud API (or set none of the four and WHATSAPP_WEB_ACCOUNTS)' });
  });
export const WHATSAPP_CONFIG = Symbol('WHATSAPP_CONFIG');

/** Harmless values for the local demo/test profiles only; production must set every secret. */
const DEMO = {
  WHATSAPP_VERIFY_TOKEN: 'demo-verify-token',
  WHATSAPP_APP_SECRET: 'demo-app-secret',
  WHATSAPP_ACCESS_TOKEN: 'demo-access-token',
  WHATSAPP_PHONE_NUMBER_ID: '100000000000001',
  WHATSAPP_TEMPLATES: '[{"name":"reengage","language":"en","status":"APPROVED","bodyParams":1}]',
  WHATSAPP_WEB_ADMIN_TOKEN: 'demo-linked-device-admin-token',
  SECRETS_KEK: DEMO_SECRETS_KEK,
};

export function loadWhatsAppConfig(env: NodeJS.ProcessEnv = process.env): WhatsAppConfig {
  return loadConfig('channel-whatsapp', CompleteConfig, DEMO, env);
}
