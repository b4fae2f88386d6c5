import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * The address half of the SSRF guards (ADR 0420): inbound media (libs/channel-kit) and the tenants'
 * workflow connectors (the router, ADR 0220). A URL's name is resolved and every address it resolves
 * to must be public — checked again at connect time, on the address actually connected to, so a name
 * that is re-pointed at 127.0.0.1 or 169.254.169.254 after it was accepted (DNS rebinding) is refused.
 */

/** Only globally routable unicast addresses (after unwrapping IPv4-mapped IPv6). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** Resolves a name to all its addresses (dns.lookup: what a connection would use, /etc/hosts included). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;
export const resolveAll: ResolveAll = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** The `lookup` option of node:net / node:http(s). */
export type GuardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export interface PublicOnlyLookupOptions {
  /** The error a refused connection fails with (a typed FatalError of the caller's). */
  refuse: (hostname: string, address: string) => Error;
  /** Names whose private addresses are acceptable (an explicit allow-list, a local test provider). */
  allowed?: (hostname: string) => boolean;
  resolve?: ResolveAll;
}

/**
 * A `lookup` for node:http(s) that resolves like dns.lookup and fails the connection when any address
 * of the name is not public, unless the name is allowed. IP literals never reach a lookup: callers
 * check those themselves (`nonPublicAddressOf` does both).
 */
export function publicOnlyLookup(o: PublicOnlyLookupOptions): GuardedLookup {
  const resolve = o.resolve ?? resolveAll;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const addresses = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        const bad = addresses.find((a) => !isPublicAddress(a.address));
        if (bad && !o.allowed?.(hostname)) return callback(o.refuse(hostname, bad.address), []);
        if (options.all) return callback(null, addresses);
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}

/**
 * The first non-public address a host (a name or an IP literal, brackets and the root dot removed)
 * is or resolves to; undefined when all are public, and when the name does not resolve now (nothing
 * to connect to: the connect-time lookup checks it again when it does).
 */
export async function nonPublicAddressOf(host: string, resolve: ResolveAll = resolveAll): Promise<string | undefined> {
  if (ipaddr.isValid(host)) return isPublicAddress(host) ? undefined : host;
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    return undefined;
  }
  return addresses.find((a) => !isPublicAddress(a.address))?.address;
}

/** WHATWG URL keeps IPv6 brackets in hostname and may keep a trailing dot. */
export function bareHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}
