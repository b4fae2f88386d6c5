import { Inject, Injectable } from '@nestjs/common';
import { ConversationDoc, ConversationExperiment, EXPERIMENT_REPOSITORY, ExperimentRepository } from '@omni/persistence';
import { Experiment, FlowParams, assignVariant, parseExperiment } from '@omni/routing';

const TTL_MS = 10_000;

/**
 * The tenant's running flow experiments and the variants a customer gets. Assignment is a hash of
 * (experiment, customer), so every replica and every restart gives the same customer the same
 * variant; it is written once, with the conversation's insert, and never recomputed afterwards.
 */
@Injectable()
export class FlowExperiments {
  private readonly cache = new Map<string, { at: number; value: Experiment[] }>();

  constructor(@Inject(EXPERIMENT_REPOSITORY) private readonly experiments: ExperimentRepository) {}

  async assign(tenantId: string, customerId: string): Promise<ConversationExperiment[]> {
    return (await this.active(tenantId)).map((e) => {
      const variantId = assignVariant(e, customerId);
      return { experimentId: e.id, variantId, params: { ...(e.variants.find((v) => v.id === variantId)?.params ?? {}) } };
    });
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  private async active(tenantId: string, now = Date.now()): Promise<Experiment[]> {
    const hit = this.cache.get(tenantId);
    if (hit && now - hit.at < TTL_MS) return hit.value;
    // Stored configs were validated by the API; parsing again keeps a hand-edited bad one from assigning nonsense.
    const value = (await this.experiments.list(tenantId, true)).map((d) => parseExperiment(d.config));
    this.cache.set(tenantId, { at: now, value });
    return value;
  }
}

/** The flow parameters a conversation runs with; with overlapping experiments the first one (by id) wins. */
export function flowParams(c: Pick<ConversationDoc, 'experiments'>): FlowParams {
  const out: FlowParams = {};
  for (const e of c.experiments ?? []) {
    for (const [k, v] of Object.entries(e.params) as [keyof FlowParams, FlowParams[keyof FlowParams]][]) {
      if (out[k] === undefined && v !== undefined) Object.assign(out, { [k]: v });
    }
  }
  return out;
}
