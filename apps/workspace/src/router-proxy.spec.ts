import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aiWorkerProxy, routerProxy } from './router-proxy';

const listen = (server: Server) => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

/** The /api proxy in front of a stand-in router (a real HTTP server; the proxy library is real). */
describe('routerProxy', () => {
  let router: Server;
  let front: Server;
  let routerHits: string[];
  let routerStatus: number;
  let base: string;

  beforeEach(async () => {
    routerHits = [];
    routerStatus = 200;
    router = createServer((req, res) => {
      routerHits.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(routerStatus, { 'content-type': 'application/json' }).end(JSON.stringify({ status: routerStatus }));
    });
    const { handler } = routerProxy({ routerUrl: await listen(router), timeoutMs: 5_000, resetTimeoutMs: 60_000 });
    front = createServer((req, res) => handler(req, res, () => res.writeHead(404).end('not api')));
    base = await listen(front);
  });

  afterEach(async () => {
    await close(front);
    await close(router);
  });

  it('forwards /api/* to the router without the prefix, with the credential, and nothing else', async () => {
    const res = await fetch(`${base}/api/v1/conversations?state=queued`, { headers: { authorization: 'Bearer oms_x' } });
    expect(res.status).toBe(200);
    expect(routerHits).toEqual(['GET /v1/conversations?state=queued Bearer oms_x']);
    expect((await fetch(`${base}/index.html`)).status).toBe(404);
    expect(routerHits).toHaveLength(1);
  });

  it('passes the router’s 4xx through without counting them as failures', async () => {
    routerStatus = 403;
    for (let i = 0; i < 8; i++) expect((await fetch(`${base}/api/v1/me`)).status).toBe(403);
    expect(routerHits).toHaveLength(8);
  });

  it('stops calling a failing router: after repeated 5xx the breaker answers 503 at once', async () => {
    routerStatus = 500;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await fetch(`${base}/api/v1/me`)).status);
    // The breaker opens once 5 calls in the window failed; the later ones never reach the router.
    expect(routerHits.length).toBeLessThan(12);
    expect(routerHits.length).toBeGreaterThanOrEqual(5);
    const after = statuses.slice(routerHits.length);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after)).toEqual(new Set([503]));
    const body = await (await fetch(`${base}/api/v1/me`)).json();
    expect(body).toEqual({ error: 'dependency_unavailable', reason: 'router unavailable (circuit open)' });
  });
});

/** The /ai proxy in front of a stand-in AI worker: its own prefix and its own breaker. */
describe('aiWorkerProxy', () => {
  it('forwards /ai/* to the AI worker without the prefix, leaves /api/* alone, and names the AI worker when it fails', async () => {
    const hits: string[] = [];
    let status = 200;
    const worker = createServer((req, res) => {
      hits.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
    const { handler } = aiWorkerProxy({ aiWorkerUrl: await listen(worker), timeoutMs: 5_000, resetTimeoutMs: 60_000 });
    const front = createServer((req, res) => handler(req, res, () => res.writeHead(404).end('not ai')));
    const base = await listen(front);
    try {
      expect((await fetch(`${base}/ai/v1/nlu/report?from=x`, { headers: { authorization: 'Bearer oms_s' } })).status).toBe(200);
      expect((await fetch(`${base}/api/v1/me`)).status).toBe(404);
      expect(hits).toEqual(['GET /v1/nlu/report?from=x Bearer oms_s']);
      status = 500;
      for (let i = 0; i < 8; i++) await fetch(`${base}/ai/v1/nlu/report`);
      expect(await (await fetch(`${base}/ai/v1/nlu/report`)).json()).toEqual({ error: 'dependency_unavailable', reason: 'ai-worker unavailable (circuit open)' });
    } finally {
      await close(front);
      await close(worker);
    }
  });
});
