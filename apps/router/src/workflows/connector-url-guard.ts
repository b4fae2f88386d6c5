import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { FatalError, ValidationError } from '@omni/contracts';
import { bareHost, isPublicAddress, nonPublicAddressOf, publicOnlyLookup, resolveAll, type GuardedLookup, type ResolveAll } from '@omni/resilience';

const DEFAULT_PORT: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * The SSRF guard of the workflow connectors (ADR 0220, the media store's guard of ADR 0420 reused): a
 * tenant names the URL the router calls, so it must not name the router's own network — loopback,
 * private, link-local (169.254.169.254, the cloud metadata), CGNAT, multicast… Checked when the URL is
 * saved (a 400 naming the field) and again on every call, on the address the request actually connects
 * to (a name re-pointed after it was saved is refused: DNS rebinding). Only https, no credentials.
 *
 * The allow-list (CONNECTOR_ALLOW_HOSTS: `host` or `host:port`; the demo and test profiles set the
 * loopback names) lifts all of that for the hosts an operator names, and the deployment's own
 * CONNECTOR_BASE_URL (its host and port only) is allowed: the operator chose it.
 */
export class ConnectorUrlGuard {
  private readonly hosts = new Set<string>();
  private readonly origins = new Set<string>();
  private readonly guarded: GuardedLookup;

  constructor(allowHosts: readonly string[], private readonly resolve: ResolveAll = resolveAll) {
    for (const raw of allowHosts) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
      if (!m) continue;
      if (m[2]) this.origins.add(`${bareHost(m[1])}:${m[2]}`);
      else this.hosts.add(bareHost(m[1]));
    }
    this.guarded = publicOnlyLookup({ refuse: (host, address) => refused(`${host} resolves to the non-public address ${address}`), resolve });
  }

  /** From the router's config: CONNECTOR_ALLOW_HOSTS and the origin of CONNECTOR_BASE_URL. */
  static of(config: { CONNECTOR_ALLOW_HOSTS: readonly string[]; CONNECTOR_BASE_URL?: string }, resolve?: ResolveAll): ConnectorUrlGuard {
    const own = config.CONNECTOR_BASE_URL ? new URL(config.CONNECTOR_BASE_URL) : undefined;
    const ownOrigin = own ? [`${own.hostname}:${own.port || DEFAULT_PORT[own.protocol]}`] : [];
    return new ConnectorUrlGuard([...config.CONNECTOR_ALLOW_HOSTS, ...ownOrigin], resolve);
  }

  /** When a URL is saved: a ValidationError (400) naming `field` when it is refused. */
  async checkAtSave(raw: string, field: string): Promise<void> {
    const invalid = (message: string) => new ValidationError('invalid body', [{ path: field, message }]);
    let url: URL;
    try {
      url = this.check(raw);
    } catch (err) {
      throw invalid((err as Error).message);
    }
    if (this.allowed(url)) return;
    const bad = await nonPublicAddressOf(bareHost(url.hostname), this.resolve);
    if (bad) throw invalid(`connector URL refused: ${bareHost(url.hostname)} is or resolves to the non-public address ${bad} (allowed only through CONNECTOR_ALLOW_HOSTS)`);
  }

  /**
   * On every call, before connecting: the URL's form (FatalError 'connector_url_refused'). The
   * addresses are checked by `lookupFor(url)` as the connection is made.
   */
  check(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refused('not an absolute URL');
    }
    const allowed = this.allowed(url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) throw refused(`scheme ${url.protocol} not allowed (https only)`);
    if (url.username || url.password) throw refused('credentials in the URL');
    const host = bareHost(url.hostname);
    // IP literals never reach a lookup: checked here.
    if (!allowed && isIP(host) !== 0 && !isPublicAddress(host)) throw refused(`${host} is not a public address`);
    return url;
  }

  /** The `lookup` of a connection to `url`: public addresses only, unless the URL is allow-listed. */
  lookupFor(url: URL): GuardedLookup {
    return this.allowed(url) ? plainLookup : this.guarded;
  }

  private allowed(url: URL): boolean {
    const host = bareHost(url.hostname);
    return this.hosts.has(host) || this.origins.has(`${host}:${url.port || DEFAULT_PORT[url.protocol] || ''}`);
  }
}

/** dns.lookup itself, for allow-listed URLs (its overloads typed as the one node:http calls). */
const plainLookup = dnsLookup as unknown as GuardedLookup;

function refused(why: string): FatalError {
  return new FatalError('connector_url_refused', `connector URL refused: ${why}`);
}
