import { z } from 'zod';
import { InfraEnvSchema, loadConfig } from '@omni/platform';

export const RouterConfigSchema = InfraEnvSchema.extend({
  /** How often each replica routes waiting conversations (SLA overflow, agents freeing up); 0 = never. */
  ROUTER_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
});
export type RouterConfig = z.output<typeof RouterConfigSchema>;
export const ROUTER_CONFIG = Symbol('RouterConfig');

export function loadRouterConfig(): RouterConfig {
  return loadConfig('router', RouterConfigSchema);
}
