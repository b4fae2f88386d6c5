import { randomBytes } from 'node:crypto';
import { Envelopes } from './envelope';
import { LocalKms } from './kms';
import type { DataKeyStore, StoredDataKey } from './data-keys';

/** A fresh KEK in the env form `<id>:<base64>`. */
export function newKek(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** Envelopes over a LocalKms with the given KEKs (the one test factory of this folder). */
export function newTestEnvelopes(current = newKek('k1'), previous: string[] = []) {
  const kms = new LocalKms(current, previous);
  return { kms, envelopes: new Envelopes(kms) };
}

/** Conversation data keys in memory, with the real store's one-key-per-conversation rule. */
export function newMemoryDataKeyStore(): DataKeyStore & { rows: Map<string, StoredDataKey>; destroy: (conversationId: string) => number } {
  const rows = new Map<string, StoredDataKey>();
  return {
    rows,
    ofConversation: async (conversationId) => [...rows.values()].find((k) => k.conversationId === conversationId) ?? null,
    insert: async (k) => {
      if (rows.has(k._id) || [...rows.values()].some((r) => r.conversationId === k.conversationId)) return false;
      rows.set(k._id, k);
      return true;
    },
    get: async (keyId) => rows.get(keyId) ?? null,
    destroy: (conversationId) => {
      let n = 0;
      for (const [id, k] of rows) if (k.conversationId === conversationId && rows.delete(id)) n++;
      return n;
    },
  };
}
