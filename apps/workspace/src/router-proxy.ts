import type { IncomingMessage, ServerResponse } from 'node:http';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { Breaker, createBreaker } from '@omni/resilience';
import { rootLogger } from '@omni/telemetry';

export interface RouterProxyOptions {
  routerUrl: string;
  /** Idle timeout of an API request (the SSE stream `/api/v1/events` has none: it is quiet between changes). */
  timeoutMs: number;
  /** Breaker tuning (tests shorten the reset). */
  resetTimeoutMs?: number;
}

type Next = (err?: unknown) => void;
type Handler = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

const EVENTS = /^\/api\/v1\/events(\?|$)/;

function unavailable(res: ServerResponse, reason: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
  res.end(JSON.stringify({ error: 'dependency_unavailable', reason }));
}

/**
 * `/api/*` → the router's `/*` (ADR 0700), through http-proxy-middleware, behind an opossum breaker:
 * a request counts as failed when the router cannot be reached, times out or answers 5xx; after
 * repeated failures the breaker answers 503 at once until a trial request gets through. A request
 * counts as done when the router's response headers arrive (so the long-lived SSE stream does too).
 */
export function routerProxy(o: RouterProxyOptions): { handler: Handler; breaker: Breaker<[IncomingMessage, ServerResponse], void> } {
  const log = rootLogger().child({ component: 'router-proxy' });
  const pending = new WeakMap<IncomingMessage, { ok: () => void; fail: (e: Error) => void }>();
  const on = {
    proxyRes: (proxyRes: IncomingMessage, req: IncomingMessage) => {
      const p = pending.get(req);
      if (!p) return;
      if ((proxyRes.statusCode ?? 502) >= 500) p.fail(new Error(`router answered ${proxyRes.statusCode}`));
      else p.ok();
    },
    error: (err: Error, req: IncomingMessage, res: ServerResponse | import('node:net').Socket) => {
      pending.get(req)?.fail(err);
      log.warn({ err: { message: err.message }, url: req.url?.split('?')[0] }, 'router request failed');
      if ('writeHead' in res) unavailable(res, 'router unavailable');
    },
  };
  const common = { target: o.routerUrl, changeOrigin: true, pathRewrite: { '^/api': '' }, xfwd: true, on, logger: undefined };
  const api = createProxyMiddleware<IncomingMessage, ServerResponse>({ ...common, proxyTimeout: o.timeoutMs, timeout: o.timeoutMs });
  const stream = createProxyMiddleware<IncomingMessage, ServerResponse>({ ...common });

  const breaker = createBreaker(
    'workspace-router',
    (req: IncomingMessage, res: ServerResponse) => new Promise<void>((ok, fail) => {
      pending.set(req, { ok, fail });
      const handler = EVENTS.test(req.url ?? '') ? stream : api;
      void handler(req, res, (err?: unknown) => (err ? fail(err instanceof Error ? err : new Error('proxy failed')) : ok()));
    }),
    { timeout: o.timeoutMs, resetTimeout: o.resetTimeoutMs ?? 10_000 },
  );
  const handler: Handler = (req, res, next) => {
    if (!req.url?.startsWith('/api/')) return next();
    breaker.fire(req, res).catch((err: unknown) => unavailable(res, (err as Error).message.includes('circuit open') ? 'router unavailable (circuit open)' : 'router unavailable'));
  };
  return { handler, breaker };
}
