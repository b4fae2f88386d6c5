import { CloudEvent, SEALED_CONTENT_TYPE, ValidationError, sealedDataAad } from '@omni/contracts';
import { ConversationDataKeys, openWithDataKey, sealWithDataKey } from '@omni/secrets';

/**
 * Crypto-shredding of events (ADR 0501, 2026-12-07): the publisher seals an event's data with its
 * conversation's data key when the tenant opted in; consumers open it, and treat an event whose key
 * was destroyed (the conversation was erased) as erased.
 */
export interface EventSealing {
  /** The sealed value and the key id, or null to publish the event in clear (type not covered, tenant not opted in). */
  seal(event: CloudEvent): Promise<{ keyId: string; value: Buffer } | null>;
  /** The data object of a sealed event, or null when its key is gone (erased): nothing to handle. */
  open(event: CloudEvent<unknown>): Promise<unknown>;
}

/** The opened data of an event whose key was destroyed. */
export const ERASED = Symbol('erased');

export interface ConversationEventSealingOptions {
  /** Event types whose data is sealed (their consumers must be wired with the same key store). */
  types: ReadonlySet<string>;
  /** Whether a tenant opted in (cached by the caller). */
  optedIn: (tenantId: string) => Promise<boolean>;
}

/** Seals with the conversation's key (the event's subject); the AAD binds the bytes to the event. */
export class ConversationEventSealing implements EventSealing {
  constructor(private readonly keys: ConversationDataKeys, private readonly options: ConversationEventSealingOptions) {}

  async seal(event: CloudEvent): Promise<{ keyId: string; value: Buffer } | null> {
    if (!this.options.types.has(event.type) || !(await this.options.optedIn(event.tenantid))) return null;
    const { keyId, key } = await this.keys.current(event.tenantid, event.subject);
    return { keyId, value: sealWithDataKey(key, Buffer.from(JSON.stringify(event.data), 'utf8'), sealedDataAad(event, keyId)) };
  }

  async open(event: CloudEvent<unknown>): Promise<unknown> {
    if (!event.datakey || !Buffer.isBuffer(event.data)) throw new ValidationError(`not a sealed event (${SEALED_CONTENT_TYPE})`);
    const key = await this.keys.byId(event.datakey, event.subject);
    if (!key) return ERASED;
    let plain: Buffer;
    try {
      plain = openWithDataKey(key, event.data, sealedDataAad(event, event.datakey));
    } catch {
      throw new ValidationError('sealed data does not open with its key (tampered, or moved from another event)');
    }
    return JSON.parse(plain.toString('utf8')) as unknown;
  }
}
