import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { DEMO_ORDERS, orderKey } from './orders';

const MAX_BODY = 64 * 1024;

interface Created {
  id: string;
  body: Record<string, unknown>;
  at: string;
}

/**
 * A stand-in for a company's order, ticket and refund systems, for the demo and the test suites:
 * GET /orders/:number, POST /tickets, POST /refunds (Idempotency-Key honoured: the same key returns
 * the first result), GET /tickets and /refunds to see what was created, /health/live|ready.
 * In memory: a restart forgets tickets and refunds, which is what a demo wants.
 */
export function createDemoConnector(now = () => new Date()): Server {
  const created = { tickets: new Map<string, Created>(), refunds: new Map<string, Created>() };
  const byKey = new Map<string, Created>();
  let next = 1000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method === 'GET' && (path === '/health/live' || path === '/health/ready')) return send(res, 200, { status: 'ok' });
    const order = /^\/orders\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && order?.[1]) {
      const key = orderKey(decodeURIComponent(order[1]));
      const found = DEMO_ORDERS.find((o) => orderKey(o.number) === key);
      if (!found) return send(res, 404, { error: 'not_found', reason: `no order ${order[1]}` });
      const { etaInDays, ...rest } = found;
      const eta = etaInDays === undefined ? undefined : new Date(now().getTime() + etaInDays * 86_400_000).toISOString().slice(0, 10);
      return send(res, 200, { ...rest, ...(eta ? { eta } : {}) });
    }
    const kind = path === '/tickets' ? 'tickets' : path === '/refunds' ? 'refunds' : null;
    if (kind && req.method === 'GET') return send(res, 200, [...created[kind].values()]);
    if (kind && req.method === 'POST') {
      const body = await readJson(req);
      if (!body) return send(res, 400, { error: 'invalid_body', reason: 'a JSON object is required' });
      if (kind === 'refunds' && (typeof body.orderNumber !== 'string' || typeof body.amount !== 'number')) {
        return send(res, 400, { error: 'invalid_body', reason: 'orderNumber (string) and amount (number) are required' });
      }
      const key = req.headers['idempotency-key'];
      const idemKey = typeof key === 'string' && key ? `${kind}:${key}` : undefined;
      const existing = idemKey ? byKey.get(idemKey) : undefined;
      if (existing) return send(res, 200, { id: existing.id, status: 'exists' });
      const id = `${kind === 'tickets' ? 'T' : 'R'}-${++next}`;
      const record = { id, body, at: now().toISOString() };
      created[kind].set(id, record);
      if (idemKey) byKey.set(idemKey, record);
      return send(res, 201, { id, status: 'created' });
    }
    send(res, 404, { error: 'not_found', reason: `${req.method ?? ''} ${path}` });
  }

  return createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: 'internal' }));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
