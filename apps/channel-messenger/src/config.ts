import { z } from 'zod';
import { MediaEnvShape, commaList } from '@omni/channel-kit';
import { InfraEnvSchema, loadConfig } from '@omni/platform';
import { DEMO_SECRETS_KEK, SecretsEnvShape } from '@omni/secrets';

export const MessengerConfigSchema = InfraEnvSchema.extend({
  /** Opens the credentials of the pages connected through the router's API (ADR 0600); the same KEKs as the router. */
  ...SecretsEnvShape,
  MESSENGER_VERIFY_TOKEN: z.string().min(8),
  MESSENGER_APP_SECRET: z.string().min(8),
  MESSENGER_PAGE_ACCESS_TOKEN: z.string().min(8),
  /** The bootstrap account (until the router stored it): the Page id is also our account id. */
  MESSENGER_PAGE_ID: z.string().regex(/^\d+$/, 'digits only (Facebook Page id)'),
  MESSENGER_API_BASE_URL: z.url().default('https://graph.facebook.com'),
  MESSENGER_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'like v23.0').default('v23.0'),
  MESSENGER_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Hosts attachment URLs may point at, besides the API base URL (SSRF guard, ADR 0420). */
  MESSENGER_MEDIA_HOSTS: z.string().default('*.fbcdn.net,*.fbsbx.com').transform(commaList),
  ...MediaEnvShape,
});
export type MessengerConfig = z.output<typeof MessengerConfigSchema>;
export const MESSENGER_CONFIG = Symbol('MESSENGER_CONFIG');

/** Harmless values for the local demo/test profiles only; production must set every secret. */
const DEMO = {
  MESSENGER_VERIFY_TOKEN: 'demo-verify-token',
  MESSENGER_APP_SECRET: 'demo-app-secret',
  MESSENGER_PAGE_ACCESS_TOKEN: 'demo-page-access-token',
  MESSENGER_PAGE_ID: '100000000000002',
  SECRETS_KEK: DEMO_SECRETS_KEK,
};

export function loadMessengerConfig(env: NodeJS.ProcessEnv = process.env): MessengerConfig {
  return loadConfig('channel-messenger', MessengerConfigSchema, DEMO, env);
}
