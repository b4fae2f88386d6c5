import { z } from 'zod';
import type { TemplateDef } from '@omni/channels';
import { MediaEnvShape, mediaHosts } from '@omni/channel-kit';
import { InfraEnvSchema, loadConfig } from '@omni/platform';

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
  WHATSAPP_VERIFY_TOKEN: z.string().min(8),
  WHATSAPP_APP_SECRET: z.string().min(8),
  WHATSAPP_ACCESS_TOKEN: z.string().min(8),
  /** The default account: its phone number id is also our account id. */
  WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d+$/, 'digits only (Meta phone number id)'),
  WHATSAPP_API_BASE_URL: z.url().default('https://graph.facebook.com'),
  WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'like v23.0').default('v23.0'),
  WHATSAPP_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Approved templates of the default account, e.g. [{"name":"reengage","language":"en","status":"APPROVED","bodyParams":1}]. */
  WHATSAPP_TEMPLATES: templatesFromJson.default([]),
  /** Template sent instead of free text outside the 24-hour window (its {{1}} carries the text). */
  WHATSAPP_FALLBACK_TEMPLATE: z.string().min(1).default('reengage'),
  /** Hosts media download URLs may point at, besides the API base URL (SSRF guard, ADR 0420). */
  WHATSAPP_MEDIA_HOSTS: mediaHosts('*.fbsbx.com'),
  ...MediaEnvShape,
});
export type WhatsAppConfig = z.output<typeof WhatsAppConfigSchema>;
export const WHATSAPP_CONFIG = Symbol('WHATSAPP_CONFIG');

/** Harmless values for the local demo/test profiles only; production must set every secret. */
const DEMO = {
  WHATSAPP_VERIFY_TOKEN: 'demo-verify-token',
  WHATSAPP_APP_SECRET: 'demo-app-secret',
  WHATSAPP_ACCESS_TOKEN: 'demo-access-token',
  WHATSAPP_PHONE_NUMBER_ID: '100000000000001',
  WHATSAPP_TEMPLATES: '[{"name":"reengage","language":"en","status":"APPROVED","bodyParams":1}]',
};

export function loadWhatsAppConfig(env: NodeJS.ProcessEnv = process.env): WhatsAppConfig {
  return loadConfig('channel-whatsapp', WhatsAppConfigSchema, DEMO, env);
}
