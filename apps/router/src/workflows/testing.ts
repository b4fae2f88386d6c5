import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { ResolveAll } from '@omni/resilience';

/**
 * A DNS of the tests' own (the SSRF guard's resolver, ADR 0220): names map to addresses, and `set`
 * re-points one (DNS rebinding); an unknown name does not resolve (ENOTFOUND).
 */
export function fakeDns(initial: Record<string, string[]> = {}): ResolveAll & { set(name: string, addresses: string[]): void; asked: string[] } {
  const names = new Map(Object.entries(initial));
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const found = names.get(hostname);
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
  };
  return Object.assign(resolve, { set: (name: string, addresses: string[]) => void names.set(name, addresses), asked });
}
