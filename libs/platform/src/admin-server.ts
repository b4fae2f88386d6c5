import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpException, type INestApplication } from '@nestjs/common';
import { registry } from '@omni/telemetry';
import { ConfigError } from './config';
import { OpsController } from './health.controller';

/**
 * The internal (admin) listener: `<APP>_ADMIN_PORT`, then `ADMIN_PORT`, then the app's public port +
 * 6000 (3010 → 9010), so every app on one host has its own. 0 picks a free port.
 */
export function adminPortFor(app: string, publicDefault: number, env: NodeJS.ProcessEnv = process.env): number {
  const key = `${app.toUpperCase().replace(/-/g, '_')}_ADMIN_PORT`;
  const set = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);
  const raw = set(env[key]) ?? set(env.ADMIN_PORT);
  const port = raw === undefined ? publicDefault + 6000 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${key}/ADMIN_PORT must be a port number, got ${raw}`);
  return port;
}

/** `ADMIN_HOST`, loopback by default: metrics are for a scraper on the host or in the pod's network namespace. */
export function adminHostFor(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.ADMIN_HOST?.trim();
  return host ? host : '127.0.0.1';
}

function send(res: import('node:http').ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Serves what only operators and their tools need, apart from the public port: `GET /metrics`
 * (Prometheus), and `GET /health/live` / `GET /health/ready` (the same checks as on the public port,
 * for probes and scrapers that only reach this one). Anything else is 404. The public port has no
 * `/metrics` at all.
 */
export async function serveAdmin(app: INestApplication, port: number, host: string): Promise<Server> {
  const ops = app.get(OpsController);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      registry.metrics().then((text) => send(res, 200, registry.contentType, text), (err: Error) => send(res, 500, 'text/plain', `metrics failed: ${err.message}\n`));
      return;
    }
    if (path === '/health/live') return send(res, 200, 'application/json', JSON.stringify(ops.live()));
    if (path === '/health/ready') {
      Promise.resolve()
        .then(() => ops.ready())
        .then(
          (result) => send(res, 200, 'application/json', JSON.stringify(result)),
          (err: unknown) => {
            if (err instanceof HttpException) send(res, err.getStatus(), 'application/json', JSON.stringify(err.getResponse()));
            else send(res, 503, 'application/json', JSON.stringify({ status: 'error', message: (err as Error).message }));
          },
        );
      return;
    }
    send(res, 404, 'application/json', JSON.stringify({ statusCode: 404, message: `Cannot ${req.method} ${path}` }));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  // Closed with the app (SIGTERM → app.close() → the public server's 'close').
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  (app.getHttpServer() as Server).once('close', close);
  return server;
}

export function listeningPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
