import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { CONNECTOR_SIGNATURE_HEADER, OmniError, RetryableError, VERIFIED_CONTACTS_HEADER, formatVerifiedContacts, signConnectorRequest, type ConnectorContact } from '@omni/contracts';
import { BreakerRegistry, parseRetryAfter, withRetry } from '@omni/resilience';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { ConnectorUrlGuard } from './connector-url-guard';
import type { ConnectorTarget } from './tenant-connector';

/** A connector's answer is a small JSON document; a larger body is cut off (and is not JSON). */
const MAX_BODY_BYTES = 1_000_000;

export interface ConnectorRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: Record<string, unknown>;
  /** Sent as Idempotency-Key: a retried create (ticket, refund) is one create on the company's side. */
  readonly idempotencyKey?: string;
  /** The customer's verified contacts (ADR 0226), sent as Omni-Verified-Contacts; none = no header. */
  readonly contacts: readonly ConnectorContact[];
}

export interface ConnectorResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * HTTP to the company's systems (orders, tickets, refunds). One opossum breaker per connector base
 * URL with a timeout, and a bounded retry of retryable failures (5xx, 429, network, timeout) around
 * it. 404 ("no such order for this customer") and 403 ("the customer's ownership is not proven",
 * ADR 0226) are answers, not failures; other 4xx are the caller's fault and open nothing. An open breaker fails at once, so a dead connector costs a customer milliseconds, not
 * the full retry budget. Every request goes through the SSRF guard (ADR 0220): the URL's form before,
 * the addresses as it connects — a refused URL is a FatalError, never retried.
 */
@Injectable()
export class ConnectorClient implements OnModuleDestroy {
  private readonly breakers = new BreakerRegistry();

  constructor(
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly guard: ConnectorUrlGuard,
  ) {}

  async call(target: ConnectorTarget, req: ConnectorRequest): Promise<ConnectorResponse> {
    const timeout = this.config.CONNECTOR_TIMEOUT_MS;
    const breaker = this.breakers.get(`connector:${new URL(target.baseUrl).host}`, (t: ConnectorTarget, r: ConnectorRequest) => this.send(t, r, timeout), {
      timeout,
      volumeThreshold: 5,
      resetTimeout: 10_000,
      isFailure: (err) => !(err instanceof OmniError) || err.retryable,
    });
    // An open breaker's retry-after (10 s) exceeds maxRetryAfterMs: no waiting on a known-dead connector.
    return withRetry(() => breaker.fire(target, req), { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 1_000 });
  }

  onModuleDestroy(): void {
    this.breakers.shutdown();
  }

  private async send(target: ConnectorTarget, req: ConnectorRequest, timeoutMs: number): Promise<ConnectorResponse> {
    let res: { status: number; headers: IncomingHttpHeaders; text: string };
    const baseUrl = target.baseUrl;
    const url = new URL(req.path, baseUrl);
    const payload = req.body ? JSON.stringify(req.body) : '';
    const contacts = req.contacts.length ? formatVerifiedContacts(req.contacts) : '';
    // Signed when a secret is shared with the connector (ADR 0226): it can tell the gateway's requests,
    // and their verified contacts, from anyone else's — with the tenant's own secret, and during a
    // rotation with the previous one too. Signed per attempt: a retry carries a fresh time.
    const signature = target.signingSecrets.length
      ? signConnectorRequest(target.signingSecrets, { method: req.method, path: `${url.pathname}${url.search}`, contacts, idempotencyKey: req.idempotencyKey ?? '', body: payload })
      : undefined;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(req.body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
      ...(req.idempotencyKey ? { 'idempotency-key': req.idempotencyKey } : {}),
      ...(contacts ? { [VERIFIED_CONTACTS_HEADER]: contacts } : {}),
      ...(signature ? { [CONNECTOR_SIGNATURE_HEADER]: signature } : {}),
    };
    try {
      res = await this.exchange(this.guard.check(url.toString()), req.method, headers, req.body ? payload : undefined, timeoutMs);
    } catch (err) {
      if (err instanceof OmniError) throw err; // the guard's refusal
      const cause = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
      throw new RetryableError('connector_unreachable', `connector ${new URL(baseUrl).host} unreachable (${cause})`);
    }
    let body: unknown = null;
    try {
      body = JSON.parse(res.text);
    } catch {
      // not JSON: no body
    }
    if (res.status >= 500 || res.status === 429) {
      throw new RetryableError('connector_error', `connector answered ${res.status} to ${req.method} ${req.path}`, parseRetryAfter(res.headers['retry-after']));
    }
    if (res.status >= 400 && res.status !== 404 && res.status !== 403) throw new OmniError('connector_rejected', `connector answered ${res.status} to ${req.method} ${req.path}`, false);
    return { status: res.status, body };
  }

  /** One HTTP exchange through the guard's lookup (node:http: the lookup hook is the connect-time check). */
  private exchange(url: URL, method: string, headers: Record<string, string>, payload: string | undefined, timeoutMs: number): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const signal = AbortSignal.timeout(timeoutMs);
    return new Promise((resolve, reject) => {
      // One options object (see libs/channel-kit fetch-media: an old agent-base may patch https.request).
      const req = request({ ...urlToHttpOptions(url), method, headers, lookup: this.guard.lookupFor(url), signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}
