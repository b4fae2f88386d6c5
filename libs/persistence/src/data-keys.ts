import { DynamicModule, Global, Injectable, Module } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import { ConversationEventSealing, EVENT_SEALING } from '@omni/messaging';
import { ConversationDataKeys, DataKeyStore, StoredDataKey, kmsFromConfig } from '@omni/secrets';
import { insertOnce } from './mongo-errors';
import { TENANT_REPOSITORY, type TenantRepository } from './ports';

/**
 * `conversation_keys` (ADR 0501, crypto-shredding): one KEK-wrapped data key per conversation of a
 * tenant that opted in. Deleting a conversation's key on erasure shreds its events on Kafka.
 */
export const ConversationKeySchema = new Schema<StoredDataKey>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    key: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'conversation_keys' },
);
// One live key per conversation (two producers creating it at once: one insert wins, the other reads it).
ConversationKeySchema.index({ conversationId: 1 }, { unique: true });

export const DATA_KEY_STORE = Symbol('DataKeyStore');

@Injectable()
export class MongoDataKeyStore implements DataKeyStore {
  constructor(@InjectModel('ConversationKey') private readonly model: Model<StoredDataKey>) {}

  ofConversation(conversationId: string): Promise<StoredDataKey | null> {
    return this.model.findOne({ conversationId }).lean<StoredDataKey>().exec();
  }

  insert(key: StoredDataKey): Promise<boolean> {
    return insertOnce(this.model, key);
  }

  get(keyId: string): Promise<StoredDataKey | null> {
    return this.model.findById(keyId).lean<StoredDataKey>().exec();
  }
}

/**
 * The event types whose data is sealed for tenants that opted in: every type that carries what a
 * customer wrote or is told, each keyed by its conversation (`ce_subject`), each consumed only by apps
 * wired with the key store (EventSealingModule: the router, the AI worker, every channel app).
 * - `omni.message.received.v1`: the customer's text, attachments, name and channel id;
 * - `omni.ai.requested.v1`: the text and the last turns;
 * - `omni.ai.completed.v1`: the proposed answer, the transcript, the entities, the request's text;
 * - `omni.ai.outcome.v1`: a corrected example's text;
 * - `omni.message.send.v1`: the reply and the recipient's channel id.
 * Not sealed: `omni.message.status.v1` (ids and a provider's status) and `omni.conversation.changed.v1`
 * (ids, states, reasons; read by agent UIs and analytics outside the gateway, which hold no key).
 */
export const SEALED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'omni.message.received.v1', 'omni.ai.requested.v1', 'omni.ai.completed.v1', 'omni.ai.outcome.v1', 'omni.message.send.v1',
]);

const OPT_IN_TTL_MS = 30_000;

/** Whether a tenant opted in to crypto-shredding, cached 30 s per replica. */
export function tenantOptIn(tenants: TenantRepository): (tenantId: string) => Promise<boolean> {
  const cache = new Map<string, { at: number; on: boolean }>();
  return async (tenantId) => {
    const hit = cache.get(tenantId);
    if (hit && Date.now() - hit.at < OPT_IN_TTL_MS) return hit.on;
    const on = (await tenants.get(tenantId))?.kafkaShredding === true;
    if (cache.size > 10_000) cache.clear();
    cache.set(tenantId, { at: Date.now(), on });
    return on;
  };
}

/**
 * Gives the app's publisher and consumers crypto-shredding (libs/messaging's EVENT_SEALING): the
 * conversation keys in the shared database, wrapped by the app's KEK (SECRETS_KEK, the router's).
 * Needs PersistenceModule.forRoot in the same app.
 */
@Global()
@Module({})
export class EventSealingModule {
  static forRoot(kek: { SECRETS_KEK: string; SECRETS_KEK_PREVIOUS: string[] }): DynamicModule {
    return {
      module: EventSealingModule,
      providers: [
        {
          provide: EVENT_SEALING,
          inject: [DATA_KEY_STORE, TENANT_REPOSITORY],
          useFactory: (store: DataKeyStore, tenants: TenantRepository) =>
            new ConversationEventSealing(new ConversationDataKeys(kmsFromConfig(kek), store), { types: SEALED_EVENT_TYPES, optedIn: tenantOptIn(tenants) }),
        },
      ],
      exports: [EVENT_SEALING],
    };
  }
}
