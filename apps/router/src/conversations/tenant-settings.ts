import { Inject, Injectable } from '@nestjs/common';
import { HandoffPolicy, RoutingOptions, DEFAULT_ROUTING_OPTIONS, handoffPolicy } from '@omni/routing';
import { TENANT_REPOSITORY, TenantRepository } from '@omni/persistence';
import { DEFAULT_SMALL_TALK_INTENTS } from '../handoff/bot-turns';
import { WorkflowConfig, workflowConfig } from '../workflows/workflow-config';

const TTL_MS = 10_000;

interface Settings {
  handoff: HandoffPolicy;
  routing: RoutingOptions;
  /** Intents that never count as "the same intent repeated" (see forHandoffRules). */
  smallTalkIntents: readonly string[];
  workflows: WorkflowConfig;
}

/**
 * A tenant's parsed handoff policy and routing options. Cached for a few seconds: they are read on
 * every AI result, and an admin's change taking 10 s to apply is fine. A stored policy that does not
 * parse fails loudly (ValidationError) instead of silently never handing off.
 */
@Injectable()
export class TenantSettings {
  private readonly cache = new Map<string, { at: number; value: Settings }>();

  constructor(@Inject(TENANT_REPOSITORY) private readonly tenants: TenantRepository) {}

  async get(tenantId: string, now = Date.now()): Promise<Settings> {
    const hit = this.cache.get(tenantId);
    if (hit && now - hit.at < TTL_MS) return hit.value;
    const doc = await this.tenants.get(tenantId);
    const value: Settings = {
      handoff: handoffPolicy(doc?.handoffPolicy ?? {}),
      routing: { ...DEFAULT_ROUTING_OPTIONS, ...(doc?.routingOptions ?? {}) },
      smallTalkIntents: doc?.smallTalkIntents ?? DEFAULT_SMALL_TALK_INTENTS,
      workflows: workflowConfig(doc?.workflows ?? {}),
    };
    this.cache.set(tenantId, { at: now, value });
    return value;
  }
}
