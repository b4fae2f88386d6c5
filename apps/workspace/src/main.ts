import './instrument';
import { NestExpressApplication } from '@nestjs/platform-express';
import { bootstrap } from '@omni/platform';
import { loadWorkspaceConfig } from './config';
import { publicDir } from './public-dir';
import { aiWorkerProxy, routerProxy } from './router-proxy';
import { WorkspaceModule } from './workspace.module';

const config = loadWorkspaceConfig();

void bootstrap({
  app: 'workspace',
  module: WorkspaceModule,
  defaultPort: 3040,
  configure: (app) => {
    const express = app as NestExpressApplication;
    express.use(routerProxy({ routerUrl: config.WORKSPACE_ROUTER_URL, timeoutMs: config.WORKSPACE_PROXY_TIMEOUT_MS }).handler);
    express.use(aiWorkerProxy({ aiWorkerUrl: config.WORKSPACE_AI_WORKER_URL, timeoutMs: config.WORKSPACE_PROXY_TIMEOUT_MS }).handler);
    express.use(securityHeaders);
    express.useStaticAssets(publicDir(config.WORKSPACE_PUBLIC_DIR), { index: 'index.html', maxAge: '5m' });
  },
});

/** Everything from this origin only (no CDN, no inline script); the screen is never framed. */
function securityHeaders(_req: unknown, res: { setHeader(k: string, v: string): void }, next: () => void): void {
  res.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  next();
}
