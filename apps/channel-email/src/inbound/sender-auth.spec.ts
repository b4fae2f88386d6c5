import { MailAuthResult, mailauthAuthenticator, senderAuth } from './sender-auth';

/** Shaped like mailauth's authenticate() result (its index.d.ts: DMARCResult, ARCResult). */
function result(o: { dmarc?: string; headerFrom?: string; spf?: string | false; dkim?: string | false; arc?: string; sealer?: string; sealerSaw?: { result: string; from: string } }): MailAuthResult {
  return {
    dmarc: o.dmarc ? { status: { result: o.dmarc, header: { from: o.headerFrom ?? 'example.com' } }, alignment: { spf: { result: o.spf ?? false }, dkim: { result: o.dkim ?? false } } } : false,
    arc: o.arc
      ? { status: { result: o.arc }, signature: { signingDomain: o.sealer ?? 'lists.example.org' }, authenticationResults: o.sealerSaw ? { dmarc: { result: o.sealerSaw.result, header: { from: o.sealerSaw.from } } } : {} }
      : false,
  };
}

describe('senderAuth: only an aligned pass verifies a sender (issue 15 #2)', () => {
  const FROM = 'Ana.Souza@Example.com';
  const trusted = ['lists.example.org'];

  it.each([
    ['DMARC pass aligned by SPF', result({ dmarc: 'pass', spf: 'example.com' }), 'dmarc=pass'],
    ['DMARC pass aligned by DKIM', result({ dmarc: 'pass', dkim: 'mail.example.com' }), 'dmarc=pass'],
    ['a DMARC fail forwarded through a trusted ARC sealer that saw a pass', result({ dmarc: 'fail', arc: 'pass', sealerSaw: { result: 'pass', from: 'example.com' } }), 'arc=pass (lists.example.org)'],
  ])('verifies %s', (_name, r, expected) => {
    expect(senderAuth(r, FROM, trusted)).toEqual({ verified: true, result: expected });
  });

  it.each([
    ['no check at all', null, 'unchecked'],
    ['a DMARC fail', result({ dmarc: 'fail' }), 'dmarc=fail'],
    ['no DMARC record (mailauth: none)', result({ dmarc: 'none' }), 'dmarc=none'],
    ['no DMARC result (several From addresses)', result({}), 'dmarc=none'],
    ['a pass evaluated for another From domain', result({ dmarc: 'pass', headerFrom: 'evil.example', spf: 'evil.example' }), 'dmarc=pass, not aligned with From'],
    ['a pass without an aligned identifier', result({ dmarc: 'pass' }), 'dmarc=pass, not aligned with From'],
    ['an ARC pass from a sealer nobody trusts', result({ dmarc: 'fail', arc: 'pass', sealer: 'forwarder.evil.example', sealerSaw: { result: 'pass', from: 'example.com' } }), 'dmarc=fail'],
    ['a trusted ARC seal that saw a fail', result({ dmarc: 'fail', arc: 'pass', sealerSaw: { result: 'fail', from: 'example.com' } }), 'dmarc=fail'],
    ['a trusted ARC seal that saw a pass for another domain', result({ dmarc: 'fail', arc: 'pass', sealerSaw: { result: 'pass', from: 'evil.example' } }), 'dmarc=fail'],
    ['a broken ARC chain', result({ dmarc: 'fail', arc: 'fail', sealerSaw: { result: 'pass', from: 'example.com' } }), 'dmarc=fail'],
  ])('does not verify %s', (_name, r, expected) => {
    expect(senderAuth(r, FROM, trusted)).toEqual({ verified: false, result: expected });
  });
});

describe('mailauthAuthenticator: the adapter around mailauth', () => {
  it('is null when mailauth cannot be loaded, so nothing is verified', () => {
    expect(mailauthAuthenticator({ mta: 'mx.test', timeoutMs: 1_000, load: () => { throw new Error("Cannot find module 'mailauth'"); } })).toBeNull();
    expect(mailauthAuthenticator({ mta: 'mx.test', timeoutMs: 1_000, load: () => ({}) })).toBeNull();
  });

  it('passes the envelope, our host name and the injected DNS resolver, and never trusts Received headers', async () => {
    const calls: Record<string, unknown>[] = [];
    const resolver = (name: string, rrtype: string) => Promise.resolve([[`${rrtype} of ${name}`]]);
    const check = mailauthAuthenticator({
      mta: 'mx.test', timeoutMs: 1_000, resolver,
      load: () => ({ authenticate: async (_raw: Buffer, opts: Record<string, unknown>) => (calls.push(opts), result({ dmarc: 'pass', spf: 'example.com' })) }),
    });
    expect(await check!(Buffer.from('From: a@example.com\r\n\r\nhi'), { ip: '203.0.113.7', helo: 'mx.example.com', mailFrom: 'a@example.com' })).toEqual(result({ dmarc: 'pass', spf: 'example.com' }));
    expect(calls).toEqual([expect.objectContaining({ ip: '203.0.113.7', helo: 'mx.example.com', sender: 'a@example.com', mta: 'mx.test', resolver, trustReceived: false })]);
  });

  it('gives up after its timeout (a DNS lookup that never answers)', async () => {
    const check = mailauthAuthenticator({ mta: 'mx.test', timeoutMs: 50, load: () => ({ authenticate: () => new Promise(() => undefined) }) });
    await expect(check!(Buffer.from(''), {})).rejects.toThrow('mail authentication took longer than 50 ms');
  });
});
