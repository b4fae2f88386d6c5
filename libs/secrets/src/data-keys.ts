import { randomBytes, randomUUID } from 'node:crypto';
import { Kms, WrappedKey, open, seal } from './kms';

/**
 * Crypto-shredding (ADR 0501): each conversation of a tenant that opted in has its own data key; the
 * personal data of its events on Kafka is encrypted with it, and only the KEK-wrapped key is stored.
 * Destroying the key on erasure makes every copy of those events, on every topic, unreadable.
 */
export interface StoredDataKey {
  /** The key id (random): events name it, so a key created after an erasure never opens older events. */
  readonly _id: string;
  readonly tenantId: string;
  readonly conversationId: string;
  readonly key: WrappedKey;
  readonly createdAt: Date;
}

/** Where wrapped data keys live (`conversation_keys`); one live key per conversation. */
export interface DataKeyStore {
  ofConversation(conversationId: string): Promise<StoredDataKey | null>;
  /** Inserts; false when the conversation has a key already (another producer made it first). */
  insert(key: StoredDataKey): Promise<boolean>;
  get(keyId: string): Promise<StoredDataKey | null>;
}

/** The AAD of a wrapped data key: the key id and its conversation, so a wrapped key moved elsewhere does not open. */
export const dataKeyAad = (keyId: string, conversationId: string): string => `data-key:${keyId}:${conversationId}`;

export interface DataKeysOptions {
  /**
   * Unwrapped keys are kept in memory this long per replica (they are opened for every sealed event);
   * 0 = never cached. An erasure takes effect at once whatever this is: `byId` checks the key's row.
   */
  cacheMs?: number;
  maxCached?: number;
}

/** Finds, creates and opens conversations' data keys through the KMS port. */
export class ConversationDataKeys {
  private readonly cache = new Map<string, { at: number; key: Buffer | null; conversationId?: string }>();
  private readonly cacheMs: number;
  private readonly maxCached: number;

  constructor(private readonly kms: Kms, private readonly store: DataKeyStore, options: DataKeysOptions = {}) {
    this.cacheMs = options.cacheMs ?? 60_000;
    this.maxCached = options.maxCached ?? 10_000;
  }

  /** The conversation's live key, created (and stored wrapped) on its first event. */
  async current(tenantId: string, conversationId: string): Promise<{ keyId: string; key: Buffer }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await this.store.ofConversation(conversationId);
      if (found) {
        if (found.tenantId !== tenantId) throw new Error(`conversation ${conversationId} belongs to another tenant's key`);
        return { keyId: found._id, key: await this.unwrap(found) };
      }
      const keyId = `dk_${randomUUID()}`;
      const key = randomBytes(32);
      const stored: StoredDataKey = { _id: keyId, tenantId, conversationId, key: await this.kms.wrap(key, dataKeyAad(keyId, conversationId)), createdAt: new Date() };
      if (await this.store.insert(stored)) {
        this.remember(keyId, key, conversationId);
        return { keyId, key };
      }
      // Another producer created it between our read and insert: read theirs.
    }
    throw new Error(`could not create or read the data key of conversation ${conversationId}`);
  }

  /**
   * The key an event names, or null when it was destroyed (the conversation was erased). The key's row
   * is read on every call (the destroyed-marker check): an erasure on any replica makes this replica
   * refuse at once, however recently it opened that conversation's events; only the unwrap (the KMS
   * call) is cached. A destroyed key is remembered as gone (it never comes back), so a topic full of
   * an erased conversation's events costs one read.
   */
  async byId(keyId: string, conversationId: string): Promise<Buffer | null> {
    const hit = this.cache.get(keyId);
    if (hit && hit.key === null && Date.now() - hit.at < this.cacheMs) return null;
    const stored = await this.store.get(keyId);
    if (!stored) {
      this.remember(keyId, null);
      return null;
    }
    // Named by another conversation's event: not its key (and not remembered as gone: it is not).
    if (stored.conversationId !== conversationId) return null;
    return this.unwrap(stored);
  }

  private async unwrap(stored: StoredDataKey): Promise<Buffer> {
    const hit = this.cache.get(stored._id);
    if (hit?.key && Date.now() - hit.at < this.cacheMs) return hit.key;
    const key = await this.kms.unwrap(stored.key, dataKeyAad(stored._id, stored.conversationId));
    this.remember(stored._id, key, stored.conversationId);
    return key;
  }

  private remember(keyId: string, key: Buffer | null, conversationId?: string): void {
    if (this.cacheMs <= 0) return;
    if (this.cache.size >= this.maxCached) this.cache.clear();
    this.cache.set(keyId, { at: Date.now(), key, ...(conversationId ? { conversationId } : {}) });
  }
}

/** AES-256-GCM under a data key; `aad` binds the ciphertext to its event (id, subject, key id). */
export function sealWithDataKey(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  return seal(key, plaintext, aad);
}

export function openWithDataKey(key: Buffer, sealed: Buffer, aad: string): Buffer {
  return open(key, sealed, aad);
}
