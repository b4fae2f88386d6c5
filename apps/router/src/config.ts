import { InfraEnvSchema, loadConfig } from '@omni/platform';

export const RouterConfigSchema = InfraEnvSchema;
export type RouterConfig = ReturnType<typeof loadRouterConfig>;

export function loadRouterConfig() {
  return loadConfig('router', RouterConfigSchema);
}
