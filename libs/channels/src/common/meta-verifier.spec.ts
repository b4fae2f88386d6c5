import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignatureError } from './errors';
import { MetaWebhookVerifier, hubSignature } from './hub';
import { MessengerVerifier } from '../messenger/verifier';
import { WhatsAppVerifier } from '../whatsapp/verifier';

const SECRET = 'fake-app-secret-for-tests';

describe.each([
  ['WhatsAppVerifier', WhatsAppVerifier, 'whatsapp'],
  ['MessengerVerifier', MessengerVerifier, 'messenger'],
] as const)('%s', (_name, Verifier: typeof MetaWebhookVerifier, fixtures) => {
  const raw = readFileSync(join(__dirname, `../../fixtures/${fixtures}/batched.json`));
  const verifier = new Verifier({ appSecret: SECRET, verifyToken: 'verify-me' });

  it('accepts the signature Meta computes over the raw body', () => {
    expect(() => verifier.verifySignature(raw, hubSignature(raw, SECRET))).not.toThrow();
  });

  it('rejects a missing, wrong or replayed-with-altered-body signature', () => {
    const sig = hubSignature(raw, SECRET);
    expect(() => verifier.verifySignature(raw, undefined)).toThrow(SignatureError);
    expect(() => verifier.verifySignature(raw, hubSignature(raw, 'another-secret'))).toThrow(SignatureError);
    const altered = Buffer.from(raw.toString('utf8').replace('"entry"', '"entry" ').replace(/\d/, '9'));
    expect(() => verifier.verifySignature(altered, sig)).toThrow(SignatureError);
    // Re-serializing the parsed JSON changes the bytes: the check must run on the raw body.
    expect(() => verifier.verifySignature(JSON.stringify(JSON.parse(raw.toString('utf8'))), sig)).toThrow(SignatureError);
  });

  it('answers the GET handshake only with the right verify token', () => {
    expect(verifier.verifyHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': 'CHALLENGE_ACCEPTED' })).toBe('CHALLENGE_ACCEPTED');
    expect(() => verifier.verifyHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': 'x' })).toThrow(SignatureError);
  });

  it('refuses everything when no secret is configured (never accept-all by default)', () => {
    const open = new Verifier({ appSecret: '', verifyToken: '' });
    expect(() => open.verifySignature(raw, hubSignature(raw, ''))).toThrow(/no app secret/);
  });
});
