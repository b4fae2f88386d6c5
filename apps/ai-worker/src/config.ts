import { z } from 'zod';
import { MediaEnvShape } from '@omni/channel-kit';
import { ConfigError, InfraEnvSchema, RateLimitEnv, loadConfig } from '@omni/platform';
import { DEMO_SECRETS_KEK, SecretsEnvShape } from '@omni/secrets';

/** Blank env entries (an empty Helm value) count as unset. */
const blank = (v: unknown) => (v === '' ? undefined : v);

export const AiWorkerConfigSchema = InfraEnvSchema.pick({ KAFKA_BROKERS: true, MONGODB_URI: true, REGION: true, TENANT_ID: true }).extend({
  /** Opens an opted-in tenant's AI requests and outcomes and seals its results (crypto-shredding, ADR 0501); the same KEKs as the router. */
  ...SecretsEnvShape,
  /** Requests per window per API key and per client address on the NLU API (429 with Retry-After past it). */
  ...RateLimitEnv,
  /** Folder with the demo tenant's train.jsonl and kb.json (default: shipped next to main.js, or libs/nlu/data/demo-tenant). */
  NLU_DEMO_DIR: z.preprocess(blank, z.string().min(1).optional()),
  /**
   * The demo shop (libs/nlu/data/demo-tenant) answers for the bootstrap tenant (TENANT_ID) while it
   * has no data of its own: on under the demo and test profiles only. Every other tenant without data
   * gets its fallback (`nluFallback` of the tenant: hand to a person, or a neutral message).
   */
  NLU_DEMO_SHOP: z.enum(['on', 'off']).default('off'),
  /** fastText lid.176 as the general language detector (off: script rules + the tenant's n-gram model only). */
  NLU_FASTTEXT: z.enum(['on', 'off']).default('on'),
  /** How long a replica serves a tenant's model before checking the database for a newer version. */
  NLU_MODEL_CHECK_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /**
   * Conversations answered at once per partition (a slow provider call or a model load holds only its
   * own conversation); one conversation's requests stay in order (ADR 0011). 1: one record at a time.
   */
  AI_WORKER_CONVERSATIONS_AT_ONCE: z.coerce.number().int().min(1).max(256).default(16),
  /** The request consumer's fresh lane (ADR 0012): a newcomer's request answered while a backlog drains; 0 = off. */
  AI_WORKER_FRESH_LANE_CAPACITY: z.coerce.number().int().min(0).max(256).default(8),
  /** Optional OpenAI-compatible provider (★ names): drafts answers grounded in the KB article. */
  AI_BASE_URL: z.preprocess(blank, z.url().optional()),
  AI_API_KEY: z.preprocess(blank, z.string().min(1).optional()),
  AI_MODEL: z.preprocess(blank, z.string().min(1).max(128).optional()),
  AI_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(8_000),
  /** Optional: transcribes voice notes on the same provider (POST {AI_BASE_URL}/audio/transcriptions), e.g. whisper-1. */
  AI_TRANSCRIPTION_MODEL: z.preprocess(blank, z.string().min(1).max(128).optional()),
  /** One transcription request (audio takes longer than a chat completion). */
  AI_TRANSCRIPTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** Where the channel apps keep inbound attachments (the same names and store as theirs, ADR 0420): gridfs or disk. */
  MEDIA_STORE: MediaEnvShape.MEDIA_STORE,
  MEDIA_DIR: MediaEnvShape.MEDIA_DIR,
  /** Bootstraps an admin key of the default tenant for the tenant-data API, like the router's (stored as SHA-256 only). */
  API_KEY: z.preprocess(blank, z.string().min(16, 'API_KEY must be at least 16 characters').optional()),
});
export type AiWorkerConfig = z.output<typeof AiWorkerConfigSchema>;
export const AI_WORKER_CONFIG = Symbol('AI_WORKER_CONFIG');

export function loadAiWorkerConfig(env: NodeJS.ProcessEnv = process.env): AiWorkerConfig {
  const config = loadConfig('ai-worker', AiWorkerConfigSchema, { API_KEY: 'omni-demo-admin-key', NLU_DEMO_SHOP: 'on', SECRETS_KEK: DEMO_SECRETS_KEK }, env);
  if (config.AI_BASE_URL && !config.AI_MODEL && !config.AI_TRANSCRIPTION_MODEL) {
    throw new ConfigError('ai-worker: AI_BASE_URL is set but neither AI_MODEL nor AI_TRANSCRIPTION_MODEL is');
  }
  if (config.AI_TRANSCRIPTION_MODEL && !config.AI_BASE_URL) throw new ConfigError('ai-worker: AI_TRANSCRIPTION_MODEL needs AI_BASE_URL');
  return config;
}
