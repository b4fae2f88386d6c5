import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions, redactDeep } from './logger';

/** A logger with the apps' options, writing its lines to an array. */
function newTestLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
  return { log: pino({ ...loggerOptions('spec'), level: 'debug' }, sink), lines };
}

describe('log redaction', () => {
  it('censors secrets and personal data at any depth, in objects and arrays, on every line', () => {
    const { log, lines } = newTestLogger();
    const payload = {
      event: { data: { customer: { email: 'carla@example.com', phone: '+34600111222' }, message: { text: 'my card is 4111 1111 1111 1111' } } },
      accounts: [{ id: 'waba-1', accessToken: 'EAAG-secret-token', appSecret: 'app-secret-value' }],
      text: 'top-level text',
      req: { headers: { authorization: 'Bearer live-key-0123456789', 'x-hub-signature-256': 'sha256=abc' } },
    };
    log.warn(payload, 'a nested payload');
    log.child({ component: 'x' }).error({ err: Object.assign(new Error('boom'), { token: 'tok-123' }), deeper: { a: { b: { c: { password: 'hunter2' } } } } }, 'child');
    const all = lines.join('');
    for (const secret of ['carla@example.com', '+34600111222', '4111 1111', 'EAAG-secret-token', 'app-secret-value', 'top-level text', 'live-key-0123456789', 'sha256=abc', 'tok-123', 'hunter2']) {
      expect(all).not.toContain(secret);
    }
    const first = JSON.parse(lines[0] ?? '{}') as { event: { data: { customer: Record<string, string> } }; accounts: Array<Record<string, string>> };
    expect(first.event.data.customer).toEqual({ email: '[redacted]', phone: '[redacted]' });
    expect(first.accounts[0]).toEqual({ id: 'waba-1', accessToken: '[redacted]', appSecret: '[redacted]' });
    expect(lines[1]).toContain('boom');
  });

  it('survives cycles and very deep objects', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    let deep: Record<string, unknown> = { email: 'x@y.z' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(redactDeep(a)).toEqual({ name: 'a', self: '[cut]' });
    expect(JSON.stringify(redactDeep(deep))).not.toContain('x@y.z');
  });
});
