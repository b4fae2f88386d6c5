import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { FatalError } from '@omni/contracts';

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

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type GuardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** Only globally routable unicast addresses (after unwrapping IPv4-mapped IPv6). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
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
  readonly lookup: GuardedLookup = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => !isPublicAddress(a.address));
      if (bad && !this.local) {
        return callback(refuse(`https://${hostname}/`, `${hostname} resolves to non-public address ${bad.address}`), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };

  private owns(host: string): boolean {
    if (host === bareHost(this.base.hostname) || this.exact.has(host)) return true;
    // The suffix keeps its leading dot: "evil-fbcdn.net" does not end with ".fbcdn.net".
    return this.suffixes.some((s) => host.endsWith(s) && host.length > s.length);
  }
}

/** WHATWG URL keeps IPv6 brackets in hostname and may keep a trailing dot. */
function bareHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}
