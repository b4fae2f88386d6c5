import { isIP } from 'node:net';
import { FatalError } from '@omni/contracts';
import { bareHost, isPublicAddress, publicOnlyLookup, type GuardedLookup } from '@omni/resilience';

export { isPublicAddress, type GuardedLookup } from '@omni/resilience';

export interface MediaUrlPolicy {
  /**
   * Hosts the provider owns and serves media from: exact names (`api.telegram.org`) or `*.suffix`
   * for any subdomain of suffix (`*.fbcdn.net`; the suffix itself is not included).
   */
  allowedHosts: readonly string[];
  /**
   * The configured provider base URL (Graph API, Bot API root). Its origin is always allowed. When it
   * is itself local (a loopback or private address, `localhost`: the contract servers of the tests,
   * a proxy on the host), http and private addresses are allowed too; otherwise never.
   */
  providerBaseUrl: string;
}

const refuse = (url: string, why: string) => new FatalError('media_url_refused', `media URL refused (${why}): ${redact(url)}`);

/** Never log a token that a provider puts in the path (Telegram: /file/bot<token>/…) or the query. */
export function redact(url: string): string {
  return url.replace(/\/bot[^/]+\//, '/bot<token>/').replace(/\?.*$/, '?…');
}

/**
 * The SSRF guard of inbound media: a URL is fetched only when its host is one the provider owns, with
 * no credentials in it, on the default port, over https; the addresses its name resolves to are
 * checked again at connect time (`lookup`), so a public name resolving to 127.0.0.1 or 169.254.169.254
 * (DNS rebinding included: the checked address is the one connected to) is refused.
 */
export class MediaUrlGuard {
  /** The provider base URL is local (tests): loopback/private targets and http are acceptable. */
  readonly local: boolean;
  private readonly base: URL;
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(policy: MediaUrlPolicy) {
    this.base = new URL(policy.providerBaseUrl);
    const baseHost = bareHost(this.base.hostname);
    this.local = baseHost === 'localhost' || baseHost.endsWith('.localhost') || (isIP(baseHost) !== 0 && !isPublicAddress(baseHost));
    for (const raw of policy.allowedHosts) {
      const h = raw.trim().toLowerCase().replace(/\.$/, '');
      if (!h) continue;
      if (h.startsWith('*.')) this.suffixes.push(h.slice(1));
      else this.exact.add(h);
    }
  }

  /** Throws FatalError('media_url_refused') for any URL the provider does not own. */
  check(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refuse(raw, 'not an absolute URL');
    }
    const sameOrigin = url.origin === this.base.origin;
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.local && sameOrigin)) throw refuse(raw, `scheme ${url.protocol} not allowed`);
    if (url.username || url.password) throw refuse(raw, 'credentials in the URL');
    if (sameOrigin) return url;
    if (url.port !== '') throw refuse(raw, `non-default port ${url.port}`);
    const host = bareHost(url.hostname);
    if (isIP(host) !== 0) throw refuse(raw, 'IP literal host');
    if (!this.owns(host)) throw refuse(raw, `host ${host} is not the provider's`);
    return url;
  }

  /**
   * `lookup` for node:http(s): resolves like dns.lookup and fails the connection when any address is
   * not public — unless the provider base URL is local. IP literals never reach a lookup; `check`
   * already refused them unless they are the base URL's own host.
   */
  readonly lookup: GuardedLookup = publicOnlyLookup({
    refuse: (hostname, address) => refuse(`https://${hostname}/`, `${hostname} resolves to non-public address ${address}`),
    allowed: () => this.local,
  });

  private owns(host: string): boolean {
    if (host === bareHost(this.base.hostname) || this.exact.has(host)) return true;
    // The suffix keeps its leading dot: "evil-fbcdn.net" does not end with ".fbcdn.net".
    return this.suffixes.some((s) => host.endsWith(s) && host.length > s.length);
  }
}
