import { InfraEnvSchema, loadConfig } from '@omni/platform';

export const AiWorkerConfigSchema = InfraEnvSchema.pick({ KAFKA_BROKERS: true, REGION: true });
export type AiWorkerConfig = ReturnType<typeof loadAiWorkerConfig>;
export const AI_WORKER_CONFIG = Symbol('AI_WORKER_CONFIG');

export function loadAiWorkerConfig() {
  return loadConfig('ai-worker', AiWorkerConfigSchema);
}
