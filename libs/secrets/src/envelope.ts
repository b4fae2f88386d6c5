import { randomBytes } from 'node:crypto';
import { Kms, WrappedKey, open, seal } from './kms';

/**
 * A secret at rest (ADR 0600): the data is encrypted with its own data key (AES-256-GCM), and the data
 * key is stored only wrapped by a KEK. Rotating the KEK rewraps data keys; the data is not touched.
 */
export interface Envelope {
  readonly v: 1;
  readonly key: WrappedKey;
  /** base64 of iv | tag | ciphertext. */
  readonly data: string;
}

/** Seals and opens secret records through a Kms; `aad` names the record so an envelope cannot be moved to another. */
export class Envelopes {
  constructor(private readonly kms: Kms) {}

  async seal<T extends object>(secret: T, aad: string): Promise<Envelope> {
    const dataKey = randomBytes(32);
    try {
      const data = seal(dataKey, Buffer.from(JSON.stringify(secret), 'utf8'), aad).toString('base64');
      return { v: 1, key: await this.kms.wrap(dataKey, aad), data };
    } finally {
      dataKey.fill(0);
    }
  }

  async open<T extends object>(envelope: Envelope, aad: string): Promise<T> {
    const dataKey = await this.kms.unwrap(envelope.key, aad);
    try {
      return JSON.parse(open(dataKey, Buffer.from(envelope.data, 'base64'), aad).toString('utf8')) as T;
    } finally {
      dataKey.fill(0);
    }
  }

  /** The same envelope with its data key wrapped by the current KEK; null when it already is. */
  async rewrap(envelope: Envelope, aad: string): Promise<Envelope | null> {
    if (envelope.key.kekId === this.kms.currentKekId()) return null;
    const dataKey = await this.kms.unwrap(envelope.key, aad);
    try {
      return { ...envelope, key: await this.kms.wrap(dataKey, aad) };
    } finally {
      dataKey.fill(0);
    }
  }

  isCurrent(envelope: Envelope): boolean {
    return envelope.key.kekId === this.kms.currentKekId();
  }
}
