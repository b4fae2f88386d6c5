import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** Prefix of the keys this gateway issues (secret scanners and people recognise them). */
const PREFIX = 'omk_';

/**
 * The stored id of an API key: its SHA-256. Issued keys carry 256 random bits, so a fast hash is
 * enough (no dictionary to try); a slow KDF would cost every request for nothing (ADR 0600).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface IssuedKey {
  /** Public id: listing and revoking name the key by it. */
  readonly id: string;
  /** Shown once to the creator, never stored. */
  readonly key: string;
  readonly hash: string;
}

export function issueApiKey(): IssuedKey {
  const key = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { id: randomUUID(), key, hash: hashApiKey(key) };
}

/** Compares two hex hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
