import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureError } from './errors';

/**
 * Meta (WhatsApp Cloud API and Messenger) signs every webhook POST: `X-Hub-Signature-256:
 * sha256=<hex HMAC-SHA256 of the raw body with the app secret>`. It must be computed on the exact
 * bytes received — a re-serialized JSON body (key order, escaped unicode) never matches.
 */
export function verifyHubSignature(rawBody: Buffer | string, header: string | undefined, appSecret: string): void {
  if (!appSecret) throw new SignatureError('no app secret configured: refusing to accept unsigned webhooks');
  if (!header) throw new SignatureError('missing X-Hub-Signature-256 header');
  const match = /^sha256=([a-f0-9]{64})$/i.exec(header.trim());
  if (!match) throw new SignatureError('malformed X-Hub-Signature-256 header');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(match[1], 'hex');
  if (!timingSafeEqual(expected, given)) throw new SignatureError('X-Hub-Signature-256 does not match the body');
}

export function hubSignature(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Equality of two secrets without leaking their common prefix through timing. */
export function constantTimeEquals(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  // timingSafeEqual throws on different lengths; compare against itself to keep the time flat.
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export type HandshakeQuery = Record<string, string | string[] | undefined>;

/**
 * The GET handshake Meta sends when a webhook URL is registered: answer `hub.challenge` verbatim
 * (as text/plain) when `hub.mode=subscribe` and `hub.verify_token` matches; otherwise 403.
 */
export function verifyHubHandshake(query: HandshakeQuery, verifyToken: string): string {
  const one = (k: string) => {
    const v = query[k];
    return Array.isArray(v) ? v[0] : v;
  };
  if (!verifyToken) throw new SignatureError('no verify token configured');
  if (one('hub.mode') !== 'subscribe') throw new SignatureError('hub.mode must be subscribe');
  const token = one('hub.verify_token');
  if (!token || !constantTimeEquals(token, verifyToken)) throw new SignatureError('hub.verify_token does not match');
  const challenge = one('hub.challenge');
  if (!challenge) throw new SignatureError('missing hub.challenge');
  return challenge;
}

export interface MetaVerifierConfig {
  appSecret: string;
  verifyToken: string;
}

/**
 * Verifies a Meta app's webhooks (WhatsApp Cloud API, Messenger Pages: one scheme); every failure
 * throws SignatureError (→ 401/403, nothing produced).
 */
export class MetaWebhookVerifier {
  constructor(private readonly config: MetaVerifierConfig) {}

  /** `rawBody` must be the bytes as received, before any JSON parsing. */
  verifySignature(rawBody: Buffer | string, signatureHeader: string | undefined): void {
    verifyHubSignature(rawBody, signatureHeader, this.config.appSecret);
  }

  /** GET handshake: returns the `hub.challenge` to echo back. */
  verifyHandshake(query: HandshakeQuery): string {
    return verifyHubHandshake(query, this.config.verifyToken);
  }
}
