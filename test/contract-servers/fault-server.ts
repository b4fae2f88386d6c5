import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The shared core of the local contract servers: a `node:http` server on port 0 that records every
 * request and can be told to misbehave for the next N requests, plus a sliding-window rate limit.
 * Provider-specific servers supply routing and the provider's error body format.
 */
export type Fault =
  /** 429 with the provider's throttling body (and `Retry-After` / `retry_after` when given). */
  | { kind: 'throttle'; retryAfterSeconds?: number; code?: number }
  /** A 5xx with the provider's transient error body. */
  | { kind: 'server-error'; status?: number }
  /** A provider error code (Meta `error.code`, Telegram `error_code`) with its HTTP status. */
  | { kind: 'error-code'; code: number; subcode?: number; status?: number; message?: string }
  /** Answers normally, but only after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Never answers: the client's timeout must fire. */
  | { kind: 'hang' }
  /**
   * Takes the request as the provider would (the route runs: a send is accepted, its status webhooks
   * follow) but never answers it: a send whose answer was lost (the client killed or timed out mid-request).
   */
  | { kind: 'accept-and-hang' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  at: number;
  /** The HTTP status answered (undefined while pending or for a hang). */
  status?: number;
  /** The JSON body answered (the provider's message id of a send). */
  answer?: unknown;
  /** When the client gave up on the request (closed it before the answer): a cancelled call. */
  abortedAt?: number;
  /** The status the provider took the request with when it never answered it (`accept-and-hang`). */
  acceptedStatus?: number;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Bytes sent as they are (media downloads), instead of `body` as JSON. */
  raw?: Buffer;
}

export interface RateLimitRule {
  limit: number;
  intervalMs: number;
  /** Requests sharing a key share a window (per phone number, per chat…); undefined = not limited. */
  key: (path: string, body: unknown) => string | undefined;
}

export interface ContractServer {
  url: string;
  requests: RecordedRequest[];
  /** The next `times` requests (of those `match` accepts, when given) get `fault`. */
  inject(fault: Fault, times?: number, match?: (path: string, body: unknown) => boolean): void;
  /** Drops pending faults and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

export interface FaultServerSpec {
  route(method: string, path: string, body: unknown, headers: RecordedRequest['headers']): Reply;
  renderFault(fault: Exclude<Fault, { kind: 'delay' | 'hang' | 'accept-and-hang' }>): Reply;
  rateLimits?: RateLimitRule[];
  /** The reply when a rate-limit rule is exceeded. */
  rateLimited(retryAfterSeconds: number, path: string): Reply;
}

export async function startFaultServer(spec: FaultServerSpec): Promise<ContractServer> {
  const requests: RecordedRequest[] = [];
  const faults: { fault: Fault; remaining: number; match?: (path: string, body: unknown) => boolean }[] = [];
  const windows = new Map<string, number[]>();

  const nextFault = (path: string, body: unknown): Fault | undefined => {
    const i = faults.findIndex((f) => !f.match || f.match(path, body));
    if (i < 0) return undefined;
    const head = faults[i];
    head.remaining -= 1;
    if (head.remaining <= 0) faults.splice(i, 1);
    return head.fault;
  };

  const overLimit = (path: string, body: unknown, now: number): number | undefined => {
    for (const [i, rule] of (spec.rateLimits ?? []).entries()) {
      const key = rule.key(path, body);
      if (key === undefined) continue;
      const stamps = (windows.get(`${i}:${key}`) ?? []).filter((t) => now - t < rule.intervalMs);
      windows.set(`${i}:${key}`, stamps);
      if (stamps.length >= rule.limit) return Math.max(1, Math.ceil((rule.intervalMs - (now - stamps[0])) / 1000));
    }
    for (const [i, rule] of (spec.rateLimits ?? []).entries()) {
      const key = rule.key(path, body);
      if (key !== undefined) windows.get(`${i}:${key}`)?.push(now);
    }
    return undefined;
  };

  const send = (res: ServerResponse, record: RecordedRequest, reply: Reply) => {
    record.status = reply.status;
    record.answer = reply.body;
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.raw ?? JSON.stringify(reply.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      // kept as text: the route answers the provider's "invalid JSON" error
    }
    const path = (req.url ?? '/').split('?')[0];
    const record: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, at: Date.now() };
    requests.push(record);
    res.once('close', () => {
      if (!res.writableFinished) record.abortedAt = Date.now();
    });
    const fault = nextFault(path, body);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'accept-and-hang') {
      const reply = spec.route(record.method, path, body, req.headers);
      record.acceptedStatus = reply.status;
      record.answer = reply.body;
      return;
    }
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    else if (fault) return send(res, record, spec.renderFault(fault));
    const wait = overLimit(path, body, Date.now());
    if (wait !== undefined) return send(res, record, spec.rateLimited(wait, path));
    send(res, record, spec.route(record.method, path, body, req.headers));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(fault, times = 1, match) {
      faults.push({ fault, remaining: times, ...(match ? { match } : {}) });
    },
    reset() {
      faults.length = 0;
      requests.length = 0;
      windows.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Hung requests would keep close() waiting forever.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
