import { generateKeyPairSync } from 'node:crypto';
import { mailauthAuthenticator, senderAuth } from './sender-auth';

/**
 * The adapter and the policy against the real mailauth (not a stand-in): a message DKIM-signed by
 * example.com, DNS answered by a table (the DKIM key, DMARC and SPF records of the test's domains).
 */
interface DkimSign {
  (input: Buffer, opts: { canonicalization: string; signatureData: { signingDomain: string; selector: string; privateKey: string; algorithm: string }[] }): Promise<{ signatures: string; errors: unknown[] }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the library's own signer, to make a real signature
const { dkimSign } = require('mailauth') as { dkimSign: DkimSign };

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const dns: Record<string, Record<string, string[][]>> = {
  'sel._domainkey.example.com': { TXT: [[`v=DKIM1; k=rsa; p=${spki}`]] },
  '_dmarc.example.com': { TXT: [['v=DMARC1; p=reject']] },
  'example.com': { TXT: [['v=spf1 -all']] },
  '_dmarc.bank.example': { TXT: [['v=DMARC1; p=reject']] },
  'bank.example': { TXT: [['v=spf1 -all']] },
};
const resolver = async (name: string, rrtype: string): Promise<unknown> => {
  const answer = dns[name.toLowerCase()]?.[rrtype];
  if (!answer) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return answer;
};

async function signed(from: string): Promise<Buffer> {
  const body = Buffer.from(`From: ${from}\r\nTo: support@shop.example\r\nSubject: my order\r\nMessage-ID: <1@example.com>\r\nDate: Mon, 07 Dec 2026 05:00:00 +0000\r\n\r\nWhere is my order?\r\n`);
  const { signatures } = await dkimSign(body, {
    canonicalization: 'relaxed/relaxed',
    signatureData: [{ signingDomain: 'example.com', selector: 'sel', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), algorithm: 'rsa-sha256' }],
  });
  return Buffer.concat([Buffer.from(signatures), body]);
}

describe('sender authentication with the real mailauth', () => {
  const authenticate = mailauthAuthenticator({ mta: 'mx.shop.example', timeoutMs: 10_000, resolver })!;
  const envelope = { ip: '192.0.2.10', helo: 'mail.example.com', mailFrom: 'ana@example.com' };

  it('is installed and loads', () => {
    expect(authenticate).not.toBeNull();
  });

  it('verifies a sender whose domain signed the mail (DKIM aligned with From: DMARC pass)', async () => {
    const r = await authenticate(await signed('Ana <ana@example.com>'), envelope);
    expect(senderAuth(r, 'ana@example.com', [])).toEqual({ verified: true, result: 'dmarc=pass' });
  });

  it('does not verify a From the signature does not cover: a spoofed bank.example', async () => {
    const r = await authenticate(await signed('Security <security@bank.example>'), envelope);
    expect(senderAuth(r, 'security@bank.example', [])).toMatchObject({ verified: false });
  });

  it('does not verify a mail changed after it was signed', async () => {
    const raw = (await signed('Ana <ana@example.com>')).toString().replace('Where is my order?', 'Refund me now');
    const r = await authenticate(Buffer.from(raw), envelope);
    expect(senderAuth(r, 'ana@example.com', [])).toEqual({ verified: false, result: 'dmarc=fail' });
  });
});
