import { z } from 'zod';
import { loadConfig } from '@omni/platform';

export const WorkspaceConfigSchema = z.object({
  /** The router whose API the workspace proxies under /api (same origin for the browser: no CORS). */
  WORKSPACE_ROUTER_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3010'),
  /** The AI worker whose NLU report the workspace proxies under /ai (supervisors' reports). */
  WORKSPACE_AI_WORKER_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3020'),
  /** Idle time before an API request through the proxy fails (the SSE stream has none). */
  WORKSPACE_PROXY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  /** The built bundle (default: public/ next to main.js). */
  WORKSPACE_PUBLIC_DIR: z.string().optional(),
});
export type WorkspaceConfig = z.output<typeof WorkspaceConfigSchema>;

export function loadWorkspaceConfig(env: NodeJS.ProcessEnv = process.env): WorkspaceConfig {
  return loadConfig('workspace', WorkspaceConfigSchema, {}, env);
}
