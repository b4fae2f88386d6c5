import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Key-encryption keys behind a port (ADR 0600): data keys are wrapped and unwrapped here and never
 * leave in clear. LocalKms holds KEKs from the environment; a cloud KMS (AWS KMS, GCP KMS, Vault
 * transit) implements the same three methods without changing a caller.
 */
export interface Kms {
  /** The KEK new data keys are wrapped with. */
  currentKekId(): string;
  wrap(dataKey: Buffer, aad: string): Promise<WrappedKey>;
  /** Unwraps with the KEK the key names, current or previous (rotation keeps the old one until rewrapped). */
  unwrap(key: WrappedKey, aad: string): Promise<Buffer>;
}
export const KMS = Symbol('Kms');

export interface WrappedKey {
  readonly kekId: string;
  /** base64 of iv (12) | tag (16) | encrypted data key. */
  readonly wrapped: string;
}

export class KmsError extends Error {}

const KEK_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** `<id>:<base64 of 32 bytes>` — the form of SECRETS_KEK and of each SECRETS_KEK_PREVIOUS entry. */
export function parseKek(value: string): { id: string; key: Buffer } {
  const i = value.indexOf(':');
  const id = value.slice(0, i);
  const key = Buffer.from(value.slice(i + 1), 'base64');
  if (i <= 0 || !KEK_ID.test(id) || key.length !== 32) throw new KmsError('a KEK is <id>:<base64 of 32 random bytes>, id of letters, digits, . _ - (at most 32)');
  return { id, key };
}

/** AES-256-GCM key wrapping with KEKs held in memory (from SECRETS_KEK and SECRETS_KEK_PREVIOUS). */
export class LocalKms implements Kms {
  private readonly keks = new Map<string, Buffer>();
  private readonly current: string;

  constructor(current: string, previous: readonly string[] = []) {
    const cur = parseKek(current);
    this.current = cur.id;
    this.keks.set(cur.id, cur.key);
    for (const p of previous) {
      const k = parseKek(p);
      if (this.keks.has(k.id)) throw new KmsError(`KEK id ${k.id} is given twice`);
      this.keks.set(k.id, k.key);
    }
  }

  currentKekId(): string {
    return this.current;
  }

  async wrap(dataKey: Buffer, aad: string): Promise<WrappedKey> {
    return { kekId: this.current, wrapped: seal(this.keks.get(this.current)!, dataKey, aad).toString('base64') };
  }

  async unwrap(key: WrappedKey, aad: string): Promise<Buffer> {
    const kek = this.keks.get(key.kekId);
    if (!kek) throw new KmsError(`KEK ${key.kekId} is not configured (keep it in SECRETS_KEK_PREVIOUS until every data key is rewrapped)`);
    return open(kek, Buffer.from(key.wrapped, 'base64'), aad);
  }
}

/** AES-256-GCM: iv (12) | tag (16) | ciphertext; the AAD binds it to its record. */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < 28) throw new KmsError('sealed data too short');
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(sealed.subarray(12, 28));
  try {
    return Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
  } catch {
    throw new KmsError('cannot decrypt: wrong key or tampered data');
  }
}
