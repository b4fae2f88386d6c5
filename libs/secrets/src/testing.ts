import { randomBytes } from 'node:crypto';
import { Envelopes } from './envelope';
import { LocalKms } from './kms';

/** A fresh KEK in the env form `<id>:<base64>`. */
export function newKek(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** Envelopes over a LocalKms with the given KEKs (the one test factory of this folder). */
export function newTestEnvelopes(current = newKek('k1'), previous: string[] = []) {
  const kms = new LocalKms(current, previous);
  return { kms, envelopes: new Envelopes(kms) };
}
