import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { CONNECTOR_SIGNATURE_HEADER, VERIFIED_CONTACTS_HEADER, connectorSignatureRefusal, parseVerifiedContacts } from '@omni/contracts';
import { DEMO_ORDERS, orderKey, ownsOrder, type DemoOrder } from './orders';

const MAX_BODY = 64 * 1024;

interface Created {
  id: string;
  body: Record<string, unknown>;
  /** Who the gateway said the customer is (tickets may be opened for unverified customers: a person follows up). */
  verifiedContacts: ReadonlyArray<{ kind: string; value: string }>;
  at: string;
}

const VERIFICATION_REQUIRED = { error: 'verification_required', reason: 'orders are shown only to a customer verified as a contact on file' };

function owned(number: string, contacts: ReadonlyArray<{ kind: string; value: string }>): DemoOrder | undefined {
  const key = orderKey(number);
  return key ? DEMO_ORDERS.find((o) => orderKey(o.number) === key && ownsOrder(o, contacts)) : undefined;
}

/**
 * A stand-in for a company's order, ticket and refund systems, for the demo and the test suites:
 * GET /orders/:number, POST /tickets, POST /refunds (Idempotency-Key honoured: the same key returns
 * the first result), GET /tickets and /refunds to see what was created, /health/live|ready.
 * In memory: a restart forgets tickets and refunds, which is what a demo wants.
 *
 * Orders belong to the contacts on file (ADR 0226): a lookup or refund is answered only for a caller
 * whose `Omni-Verified-Contacts` include one of them. No verified contact at all: 403
 * `verification_required`. Contacts that own no such order: 404, the same as a missing order, so the
 * answer never tells a stranger that an order number exists.
 *
 * With `signingSecret` (CONNECTOR_SIGNING_SECRET, shared with the router), a request without the
 * router's valid, fresh `Omni-Signature` is 401: nobody else can claim a customer's contacts here.
 * Several secrets (this side's rotation: the new one and CONNECTOR_SIGNING_SECRET_PREVIOUS) are each
 * accepted.
 */
export function createDemoConnector(now = () => new Date(), signingSecret?: string | readonly string[]): Server {
  const created = { tickets: new Map<string, Created>(), refunds: new Map<string, Created>() };
  const byKey = new Map<string, Created>();
  let next = 1000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method === 'GET' && (path === '/health/live' || path === '/health/ready')) return send(res, 200, { status: 'ok' });
    const raw = await readBody(req);
    if (raw === null) return send(res, 413, { error: 'too_large', reason: `bodies up to ${MAX_BODY} bytes` });
    if (signingSecret?.length) {
      const header = (name: string) => { const v = req.headers[name]; return Array.isArray(v) ? v.join(', ') : (v ?? ''); };
      const refusal = connectorSignatureRefusal(signingSecret, header(CONNECTOR_SIGNATURE_HEADER), {
        method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, contacts: header(VERIFIED_CONTACTS_HEADER), idempotencyKey: header('idempotency-key'), body: raw,
      }, Math.floor(now().getTime() / 1000));
      if (refusal) return send(res, 401, { error: 'bad_signature', reason: refusal });
    }
    const order = /^\/orders\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && order?.[1]) {
      const contacts = parseVerifiedContacts(req.headers[VERIFIED_CONTACTS_HEADER]);
      if (contacts.length === 0) return send(res, 403, VERIFICATION_REQUIRED);
      const found = owned(decodeURIComponent(order[1]), contacts);
      if (!found) return send(res, 404, { error: 'not_found', reason: `no order ${order[1]} for these contacts` });
      const { etaInDays, contacts: _onFile, ...rest } = found;
      const eta = etaInDays === undefined ? undefined : new Date(now().getTime() + etaInDays * 86_400_000).toISOString().slice(0, 10);
      return send(res, 200, { ...rest, ...(eta ? { eta } : {}) });
    }
    const kind = path === '/tickets' ? 'tickets' : path === '/refunds' ? 'refunds' : null;
    if (kind && req.method === 'GET') return send(res, 200, [...created[kind].values()]);
    if (kind && req.method === 'POST') {
      const body = parseObject(raw);
      if (!body) return send(res, 400, { error: 'invalid_body', reason: 'a JSON object is required' });
      if (kind === 'refunds' && (typeof body.orderNumber !== 'string' || typeof body.amount !== 'number')) {
        return send(res, 400, { error: 'invalid_body', reason: 'orderNumber (string) and amount (number) are required' });
      }
      const contacts = parseVerifiedContacts(req.headers[VERIFIED_CONTACTS_HEADER]);
      if (kind === 'refunds') {
        if (contacts.length === 0) return send(res, 403, VERIFICATION_REQUIRED);
        if (!owned(body.orderNumber as string, contacts)) return send(res, 403, { error: 'not_owner', reason: 'the verified contacts own no such order' });
      }
      const key = req.headers['idempotency-key'];
      const idemKey = typeof key === 'string' && key ? `${kind}:${key}` : undefined;
      const existing = idemKey ? byKey.get(idemKey) : undefined;
      if (existing) return send(res, 200, { id: existing.id, status: 'exists' });
      const id = `${kind === 'tickets' ? 'T' : 'R'}-${++next}`;
      const record = { id, body, verifiedContacts: contacts, at: now().toISOString() };
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

/** The raw body, or null past MAX_BODY. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseObject(raw: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
