import type { IncomingMessage, ServerResponse } from 'node:http';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { Breaker, createBreaker } from '@omni/resilience';
import { rootLogger } from '@omni/telemetry';

export interface UpstreamProxyOptions {
  /** The path prefix the browser uses (`/api`, `/ai`), cut before the request goes upstream. */
  prefix: string;
  /** Who is behind it (breaker and log names: `workspace-<name>`). */
  name: string;
  url: string;
  /** Requests held open without a timeout (the router's SSE stream). */
  stream?: RegExp;
  /** Idle timeout of an API request (the SSE stream `/api/v1/events` has none: it is quiet between changes). */
  timeoutMs: number;
  /** Breaker tuning (tests shorten the reset). */
  resetTimeoutMs?: number;
}

type Next = (err?: unknown) => void;
type Handler = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

const EVENTS = /^\/api\/v1\/events(\?|$)/;

export interface RouterProxyOptions {
  routerUrl: string;
  timeoutMs: number;
  resetTimeoutMs?: number;
}

function unavailable(res: ServerResponse, reason: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
  res.end(JSON.stringify({ error: 'dependency_unavailable', reason }));
}

/** `/api/*` → the router's `/*` (ADR 0700), its SSE stream `/api/v1/events` held open. */
export function routerProxy(o: RouterProxyOptions): { handler: Handler; breaker: Breaker<[IncomingMessage, ServerResponse], void> } {
  return upstreamProxy({ prefix: '/api', name: 'router', url: o.routerUrl, stream: EVENTS, timeoutMs: o.timeoutMs, resetTimeoutMs: o.resetTimeoutMs });
}

/** `/ai/*` → the AI worker's `/*`: the supervisors' NLU report (per-language accuracy and its bias flag). */
export function aiWorkerProxy(o: { aiWorkerUrl: string; timeoutMs: number; resetTimeoutMs?: number }): { handler: Handler; breaker: Breaker<[IncomingMessage, ServerResponse], void> } {
  return upstreamProxy({ prefix: '/ai', name: 'ai-worker', url: o.aiWorkerUrl, timeoutMs: o.timeoutMs, resetTimeoutMs: o.resetTimeoutMs });
}

/**
 * `<prefix>/*` → the upstream's `/*`, through http-proxy-middleware, behind an opossum breaker: a
 * request counts as failed when the upstream cannot be reached, times out or answers 5xx; after
 * repeated failures the breaker answers 503 at once until a trial request gets through. A request
 * counts as done when the upstream's response headers arrive (so a long-lived stream does too).
 */
export function upstreamProxy(o: UpstreamProxyOptions): { handler: Handler; breaker: Breaker<[IncomingMessage, ServerResponse], void> } {
  const log = rootLogger().child({ component: `${o.name}-proxy` });
  const pending = new WeakMap<IncomingMessage, { ok: () => void; fail: (e: Error) => void }>();
  const on = {
    proxyRes: (proxyRes: IncomingMessage, req: IncomingMessage) => {
      const p = pending.get(req);
      if (!p) return;
      if ((proxyRes.statusCode ?? 502) >= 500) p.fail(new Error(`${o.name} answered ${proxyRes.statusCode}`));
      else p.ok();
    },
    error: (err: Error, req: IncomingMessage, res: ServerResponse | import('node:net').Socket) => {
      pending.get(req)?.fail(err);
      log.warn({ err: { message: err.message }, url: req.url?.split('?')[0] }, `${o.name} request failed`);
      if ('writeHead' in res) unavailable(res, `${o.name} unavailable`);
    },
  };
  const common = { target: o.url, changeOrigin: true, pathRewrite: { [`^${o.prefix}`]: '' }, xfwd: true, on, logger: undefined };
  const api = createProxyMiddleware<IncomingMessage, ServerResponse>({ ...common, proxyTimeout: o.timeoutMs, timeout: o.timeoutMs });
  const stream = createProxyMiddleware<IncomingMessage, ServerResponse>({ ...common });

  const breaker = createBreaker(
    `workspace-${o.name}`,
    (req: IncomingMessage, res: ServerResponse) => new Promise<void>((ok, fail) => {
      pending.set(req, { ok, fail });
      const handler = o.stream?.test(req.url ?? '') ? stream : api;
      void handler(req, res, (err?: unknown) => (err ? fail(err instanceof Error ? err : new Error('proxy failed')) : ok()));
    }),
    { timeout: o.timeoutMs, resetTimeout: o.resetTimeoutMs ?? 10_000 },
  );
  const handler: Handler = (req, res, next) => {
    if (!req.url?.startsWith(`${o.prefix}/`)) return next();
    breaker.fire(req, res).catch((err: unknown) => unavailable(res, (err as Error).message.includes('circuit open') ? `${o.name} unavailable (circuit open)` : `${o.name} unavailable`));
  };
  return { handler, breaker };
}
