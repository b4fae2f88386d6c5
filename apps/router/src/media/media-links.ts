import { createHmac, timingSafeEqual } from 'node:crypto';

export interface MediaLinkConfig {
  /** The router's public base URL as providers reach it, e.g. `https://gateway.example.com`. */
  baseUrl: string;
  secret: string;
  ttlMs: number;
}

/**
 * Links a provider can fetch a stored file from without an API key (ADR 0424): the Cloud API,
 * Messenger and Telegram send media by URL. `GET /media-links/<tenant>/<storeId>?exp=<unix s>&sig=<hex>`,
 * the signature an HMAC-SHA256 of tenant, id and expiry: a link names one file of one tenant and dies
 * at `exp`; nothing else of the store is reachable through it.
 */
export class MediaLinks {
  constructor(private readonly config: MediaLinkConfig, private readonly now: () => number = Date.now) {}

  sign(tenantId: string, storeId: string): string {
    const exp = Math.floor((this.now() + this.config.ttlMs) / 1000);
    const base = this.config.baseUrl.replace(/\/+$/, '');
    return `${base}/media-links/${encodeURIComponent(tenantId)}/${storeId}?exp=${exp}&sig=${this.mac(tenantId, storeId, exp)}`;
  }

  /** true when the link was signed here and has not expired. */
  verify(tenantId: string, storeId: string, exp: string | undefined, sig: string | undefined): boolean {
    if (!exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[a-f0-9]{64}$/.test(sig)) return false;
    if (Number(exp) * 1000 < this.now()) return false;
    return timingSafeEqual(Buffer.from(this.mac(tenantId, storeId, Number(exp)), 'hex'), Buffer.from(sig, 'hex'));
  }

  private mac(tenantId: string, storeId: string, exp: number): string {
    return createHmac('sha256', this.config.secret).update(`media-link\n${tenantId}\n${storeId}\n${exp}`).digest('hex');
  }
}
