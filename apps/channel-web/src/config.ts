import { z } from 'zod';
import { InfraEnvSchema, loadConfig } from '@omni/platform';
import { DEMO_SECRETS_KEK, SecretsEnvShape } from '@omni/secrets';

export const WebConfigSchema = InfraEnvSchema.extend({
  /** Seals an opted-in tenant's events with its conversations' keys and opens them (crypto-shredding, ADR 0501); the same KEKs as the router. */
  ...SecretsEnvShape,
  WEB_ACCOUNT_ID: z.string().min(1).default('default'),
  /** Largest accepted text frame; bigger ones get an error event (the socket stays open). */
  WEB_MAX_FRAME_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(8_192),
  /** Messages a connection may send per 10 s before it is told to slow down. */
  WEB_RATE_LIMIT_PER_10S: z.coerce.number().int().min(1).default(20),
  WEB_HISTORY_LIMIT: z.coerce.number().int().min(1).max(500).default(100),
  /**
   * Signs visitors' session tokens (HMAC-SHA256). Required outside the demo and test profiles; a
   * new secret ends every visitor's session (they start a new conversation).
   */
  WEB_SESSION_SECRET: z.string().min(32, 'WEB_SESSION_SECRET must be at least 32 characters'),
  /**
   * Pages allowed to open the chat socket, besides the gateway's own (the demo page): a comma list
   * of origins (https://shop.example). Browsers always send Origin; a client without one is not a
   * browser and is not held to it (docs/security.md).
   */
  WEB_ALLOWED_ORIGINS: z.string().default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.url({ message: 'each allowed origin must be a URL such as https://shop.example' }))),
  /** Open sockets per client address; past it a new one is closed with 1013. */
  WEB_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(20),
  /** Frames per client address per 10 s, over all its sockets; past it the socket is closed with 1008. */
  WEB_MAX_FRAMES_PER_IP_PER_10S: z.coerce.number().int().min(1).default(300),
  /** Proxies in front that append to X-Forwarded-For (0: the TCP peer is the client). */
  WEB_TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
});
export type WebConfig = z.output<typeof WebConfigSchema>;
export const WEB_CONFIG = Symbol('WEB_CONFIG');

/** Only for the demo and test profiles (loadConfig never fills it in production). */
const DEMO = { WEB_SESSION_SECRET: 'omni-demo-web-session-secret-not-for-production', SECRETS_KEK: DEMO_SECRETS_KEK };

export function loadWebConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  return loadConfig('channel-web', WebConfigSchema, DEMO, env);
}
