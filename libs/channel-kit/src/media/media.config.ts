import { z } from 'zod';
import { MediaLimitsEnvShape, MediaStoreEnvShape } from '@omni/persistence';

export { commaList } from '@omni/persistence';

/** Media env shared by the channel apps (ADR 0420); each app adds `<CHANNEL>_MEDIA_HOSTS`. */
export const MediaEnvShape = {
  ...MediaStoreEnvShape,
  ...MediaLimitsEnvShape,
  /** One whole fetch (metadata call or download, body included). */
  MEDIA_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  /** All of one webhook's media (fetched in parallel): past it the webhook answers 503 (Meta waits ~20 s). */
  MEDIA_WEBHOOK_DEADLINE_MS: z.coerce.number().int().min(100).max(120_000).default(12_000),
};

export type MediaEnv = z.output<z.ZodObject<typeof MediaEnvShape>>;
