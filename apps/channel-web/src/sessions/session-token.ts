import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A web visitor's session token: `<sessionId>.<mac>`, where the session id is 18 random bytes the
 * server chose (base64url) and the mac is HMAC-SHA256 over the account and the id with
 * WEB_SESSION_SECRET. The session id alone (which the router's API shows as the customer's
 * channel user id) is worth nothing: without the mac it opens no conversation. The server keeps
 * only the token's SHA-256 (web-session.store.ts), so a database reader cannot replay one either.
 */
export interface IssuedSession {
  readonly sessionId: string;
  readonly token: string;
  readonly tokenHash: string;
}

const TOKEN = /^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/;

export class SessionTokens {
  constructor(private readonly secret: string, private readonly accountId: string) {
    if (secret.length < 32) throw new Error('the web session secret must be at least 32 characters');
  }

  issue(): IssuedSession {
    const sessionId = randomBytes(18).toString('base64url');
    const token = `${sessionId}.${this.mac(sessionId)}`;
    return { sessionId, token, tokenHash: hashToken(token) };
  }

  /** The session id the token was issued for, or null when it is malformed or not signed by us. */
  verify(token: string): string | null {
    const m = TOKEN.exec(token);
    if (!m) return null;
    const expected = Buffer.from(this.mac(m[1]));
    const given = Buffer.from(m[2]);
    return expected.length === given.length && timingSafeEqual(expected, given) ? m[1] : null;
  }

  private mac(sessionId: string): string {
    return createHmac('sha256', this.secret).update(`omni-web-session:v1:${this.accountId}:${sessionId}`).digest('base64url');
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
