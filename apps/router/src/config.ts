import { z } from 'zod';
import { InfraEnvSchema, loadConfig } from '@omni/platform';

export const RouterConfigSchema = InfraEnvSchema.extend({
  /** How often each replica routes waiting conversations (SLA overflow, agents freeing up); 0 = never. */
  ROUTER_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  /** Bootstraps an admin key of the default tenant (secret: stored only as its SHA-256, never logged). */
  API_KEY: z.string().min(16, 'API_KEY must be at least 16 characters').optional(),
  ROUTER_GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
});
export type RouterConfig = z.output<typeof RouterConfigSchema>;
export const ROUTER_CONFIG = Symbol('RouterConfig');

export function loadRouterConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  // Test stacks start several routers on one machine (and beside a demo stack): an ephemeral gRPC
  // port unless the suite names one. The demo and production keep the documented 50051.
  const source = env.OMNI_PROFILE === 'test' && !env.ROUTER_GRPC_PORT ? { ...env, ROUTER_GRPC_PORT: '0' } : env;
  // A known key only where harmless defaults are allowed (OMNI_PROFILE demo/test); production has none.
  return loadConfig('router', RouterConfigSchema, { API_KEY: 'omni-demo-admin-key' }, source);
}
