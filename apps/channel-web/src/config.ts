import { z } from 'zod';
import { InfraEnvSchema, loadConfig } from '@omni/platform';

export const WebConfigSchema = InfraEnvSchema.extend({
  WEB_ACCOUNT_ID: z.string().min(1).default('default'),
  /** Largest accepted text frame; bigger ones get an error event (the socket stays open). */
  WEB_MAX_FRAME_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(8_192),
  /** Messages a connection may send per 10 s before it is told to slow down. */
  WEB_RATE_LIMIT_PER_10S: z.coerce.number().int().min(1).default(20),
  WEB_HISTORY_LIMIT: z.coerce.number().int().min(1).max(500).default(100),
});
export type WebConfig = z.output<typeof WebConfigSchema>;
export const WEB_CONFIG = Symbol('WEB_CONFIG');

export function loadWebConfig(): WebConfig {
  return loadConfig('channel-web', WebConfigSchema);
}
