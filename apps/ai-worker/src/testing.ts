/** Spec helpers: a config, an in-memory dataset repository and a request factory. */
import type { AiRequest } from '@omni/contracts';
import type { NluDatasetDoc, NluDatasetRepository, NluFallback, TenantDirectory } from '@omni/persistence';
import { DEMO_SECRETS_KEK } from '@omni/secrets';
import { AiWorkerConfig, AiWorkerConfigSchema } from './config';
import { TenantFallbacks } from './answer/tenant-fallbacks';

/** The worker's config as the test profile fills it (the demo shop answers for the bootstrap tenant). */
export function aConfig(env: Record<string, string> = {}): AiWorkerConfig {
  // The key-encryption key every profile but production supplies (the worker seals and opens events, ADR 0501).
  return AiWorkerConfigSchema.parse({ NLU_FASTTEXT: 'on', NLU_DEMO_SHOP: 'on', SECRETS_KEK: DEMO_SECRETS_KEK, ...env });
}

/** Every tenant's NLU fallback is `mode` (none set: handoff); `reads` counts the directory reads. */
export function fallbacks(mode?: NluFallback): TenantFallbacks & { reads: number } {
  const counter = { reads: 0 };
  const directory = { get: async (id: string) => { counter.reads++; return { _id: id, createdAt: new Date(), updatedAt: new Date(), ...(mode ? { nluFallback: mode } : {}) }; } } as unknown as TenantDirectory;
  return Object.defineProperty(new TenantFallbacks(directory), 'reads', { get: () => counter.reads }) as TenantFallbacks & { reads: number };
}

export class InMemoryDatasets implements NluDatasetRepository {
  readonly docs: NluDatasetDoc[] = [];
  reads = 0;

  latestVersion(tenantId: string): Promise<number | null> {
    this.reads++;
    return Promise.resolve(this.newest(tenantId)?.version ?? null);
  }

  latest(tenantId: string): Promise<NluDatasetDoc | null> {
    return Promise.resolve(this.newest(tenantId) ?? null);
  }

  insert(doc: NluDatasetDoc): Promise<boolean> {
    if (this.docs.some((d) => d.tenantId === doc.tenantId && d.version === doc.version)) return Promise.resolve(false);
    this.docs.push(doc);
    return Promise.resolve(true);
  }

  private newest(tenantId: string): NluDatasetDoc | undefined {
    return this.docs.filter((d) => d.tenantId === tenantId).sort((a, b) => b.version - a.version)[0];
  }
}

export function aRequest(text: string, extra: Partial<AiRequest> = {}): AiRequest {
  return {
    tenantId: 'default', region: 'local', channel: 'web', accountId: 'site', conversationId: 'conv-1', messageId: 'm-1',
    text, messageType: 'text', history: [], ...extra,
  };
}
