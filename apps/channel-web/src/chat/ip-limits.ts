import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import { TokenBucket } from './token-bucket';

/**
 * The client's address: the TCP peer, or with `trustHops` proxies in front, the address that many
 * entries from the right of X-Forwarded-For (what the first trusted proxy saw). Entries further
 * left are written by the client and never trusted.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustHops <= 0) return peer;
  const raw = req.headers['x-forwarded-for'];
  const chain = (Array.isArray(raw) ? raw.join(',') : raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  // Fewer entries than trusted proxies: the request did not come through them all; the peer is all we know.
  return chain.length >= trustHops ? chain[chain.length - trustHops] : peer;
}

export interface IpLimitOptions {
  readonly maxConnections: number;
  readonly framesPer10s: number;
  readonly now?: () => number;
}

/**
 * Connections and frames per client address. Connection counts live while the address has a
 * socket open; frame budgets outlive the sockets for a minute (an LRU bounded to 100,000
 * addresses), so reconnecting does not refill them.
 */
export class IpLimits {
  private readonly connections = new Map<string, number>();
  private readonly frames: LRUCache<string, TokenBucket>;

  constructor(private readonly options: IpLimitOptions) {
    this.frames = new LRUCache({ max: 100_000, ttl: 60_000, updateAgeOnGet: true });
  }

  /** Counts a new socket; false (and nothing counted) when the address is at its limit. */
  open(address: string): boolean {
    const n = this.connections.get(address) ?? 0;
    if (n >= this.options.maxConnections) return false;
    this.connections.set(address, n + 1);
    return true;
  }

  close(address: string): void {
    const n = (this.connections.get(address) ?? 0) - 1;
    if (n > 0) this.connections.set(address, n);
    else this.connections.delete(address);
  }

  /** Takes one frame from the address's budget; false when it is spent. */
  frame(address: string): boolean {
    let bucket = this.frames.get(address);
    if (!bucket) {
      bucket = new TokenBucket(this.options.framesPer10s, this.options.framesPer10s / 10_000, this.options.now);
      this.frames.set(address, bucket);
    }
    return bucket.take() === 0;
  }

  openConnections(address: string): number {
    return this.connections.get(address) ?? 0;
  }
}
