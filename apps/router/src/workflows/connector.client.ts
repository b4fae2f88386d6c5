import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { CONNECTOR_SIGNATURE_HEADER, OmniError, RetryableError, VERIFIED_CONTACTS_HEADER, formatVerifiedContacts, signConnectorRequest, type ConnectorContact } from '@omni/contracts';
import { BreakerRegistry, parseRetryAfter, withRetry } from '@omni/resilience';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import type { ConnectorTarget } from './tenant-connector';

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
 * the full retry budget.
 */
@Injectable()
export class ConnectorClient implements OnModuleDestroy {
  private readonly breakers = new BreakerRegistry();

  constructor(@Inject(ROUTER_CONFIG) private readonly config: RouterConfig) {}

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
    let res: Response;
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
    try {
      res = await fetch(url, {
        method: req.method,
        headers: {
          accept: 'application/json',
          ...(req.body ? { 'content-type': 'application/json' } : {}),
          ...(req.idempotencyKey ? { 'idempotency-key': req.idempotencyKey } : {}),
          ...(contacts ? { [VERIFIED_CONTACTS_HEADER]: contacts } : {}),
          ...(signature ? { [CONNECTOR_SIGNATURE_HEADER]: signature } : {}),
        },
        ...(req.body ? { body: payload } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new RetryableError('connector_unreachable', `connector ${new URL(baseUrl).host} unreachable (${cause})`);
    }
    const body: unknown = await res.json().catch(() => null);
    if (res.status >= 500 || res.status === 429) {
      throw new RetryableError('connector_error', `connector answered ${res.status} to ${req.method} ${req.path}`, parseRetryAfter(res.headers.get('retry-after')));
    }
    if (res.status >= 400 && res.status !== 404 && res.status !== 403) throw new OmniError('connector_rejected', `connector answered ${res.status} to ${req.method} ${req.path}`, false);
    return { status: res.status, body };
  }
}
