import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { IpLimits, clientAddress } from './ip-limits';

function req(remoteAddress: string, xff?: string): Pick<IncomingMessage, 'headers' | 'socket'> {
  return { headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress } as Socket };
}

describe('per-address limits of the chat socket (issue 15 #3)', () => {
  it('caps open connections per address, and frees a slot on close', () => {
    const limits = new IpLimits({ maxConnections: 2, framesPer10s: 100 });
    expect([limits.open('1.1.1.1'), limits.open('1.1.1.1'), limits.open('1.1.1.1')]).toEqual([true, true, false]);
    expect(limits.open('2.2.2.2')).toBe(true);
    limits.close('1.1.1.1');
    expect(limits.open('1.1.1.1')).toBe(true);
    expect(limits.openConnections('1.1.1.1')).toBe(2);
  });

  it('caps frames per address over 10 s, refilled by time, surviving reconnects', () => {
    let now = 0;
    const limits = new IpLimits({ maxConnections: 5, framesPer10s: 3, now: () => now });
    expect([1, 2, 3, 4].map(() => limits.frame('1.1.1.1'))).toEqual([true, true, true, false]);
    expect(limits.frame('2.2.2.2')).toBe(true);
    limits.open('1.1.1.1');
    limits.close('1.1.1.1');
    expect(limits.frame('1.1.1.1')).toBe(false);
    now += 10_000 / 3;
    expect(limits.frame('1.1.1.1')).toBe(true);
  });

  it('takes the TCP peer unless proxies are trusted, then the entry the first trusted proxy wrote', () => {
    expect(clientAddress(req('10.0.0.1', '6.6.6.6'), 0)).toBe('10.0.0.1');
    expect(clientAddress(req('10.0.0.1', 'forged, 203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(clientAddress(req('10.0.0.1', 'forged, 203.0.113.9, 10.0.0.2'), 2)).toBe('203.0.113.9');
    expect(clientAddress(req('10.0.0.1'), 1)).toBe('10.0.0.1');
    expect(clientAddress(req('10.0.0.1', '203.0.113.9'), 2)).toBe('10.0.0.1');
  });
});
