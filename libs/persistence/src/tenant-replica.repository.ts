import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';

const { EJSON } = mongo.BSON;
type Document = mongo.Document;
/** Every replicated store keys its documents by a string `_id` (the schemas'). */
type AnyDoc = { _id: string; [field: string]: unknown };

/**
 * A tenant's configuration as its active region holds it (ADR 0300, "configuration follows the
 * tenant"): the stores an operator or a tenant admin writes through the API and that a region needs
 * to act for the tenant — its profile, channel accounts (credentials stay sealed as stored), API keys
 * and people (hashes only), agents, skill groups, settings versions, experiments and NLU data.
 * Conversations and messages are not here: they travel as events (MirrorMaker 2).
 */
export const REPLICATED_TENANT_STORES = [
  'tenants', 'channel_accounts', 'api_keys', 'people', 'agents', 'skill_groups', 'tenant_settings', 'experiments', 'nlu_datasets',
] as const;
export type ReplicatedStore = (typeof REPLICATED_TENANT_STORES)[number];

/** The documents of each store, in canonical Extended JSON (dates, binaries and numbers keep their types). */
export interface TenantConfigSnapshot {
  tenantId: string;
  stores: Record<ReplicatedStore, string>;
}

export interface ReplicaApplied {
  upserted: number;
  deleted: number;
  /** The `_id`s of the API keys replaced or deleted here (key hashes): a credential cache forgets them. */
  changedKeys: string[];
}

export interface TenantReplicaRepository {
  snapshot(tenantId: string): Promise<TenantConfigSnapshot>;
  /** Makes this store's copy of the tenant's configuration equal to `snapshot`; writes only what differs. */
  apply(snapshot: TenantConfigSnapshot): Promise<ReplicaApplied>;
}
export const TENANT_REPLICA_REPOSITORY = Symbol('TenantReplicaRepository');

const filterOf = (store: ReplicatedStore, tenantId: string): Document => (store === 'tenants' ? { _id: tenantId } : { tenantId });
const canonical = (d: Document): string => EJSON.stringify(d, { relaxed: false });
const idOf = (d: Document): string => d._id as string;
const keyOf = (d: Document): string => canonical({ _id: idOf(d) });

@Injectable()
export class MongoTenantReplicaRepository implements TenantReplicaRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  async snapshot(tenantId: string): Promise<TenantConfigSnapshot> {
    const stores = {} as Record<ReplicatedStore, string>;
    for (const store of REPLICATED_TENANT_STORES) {
      const docs = await this.connection.collection<AnyDoc>(store).find(filterOf(store, tenantId)).sort({ _id: 1 }).toArray();
      stores[store] = EJSON.stringify(docs, { relaxed: false });
    }
    return { tenantId, stores };
  }

  async apply(snapshot: TenantConfigSnapshot): Promise<ReplicaApplied> {
    // Every store is read and checked before anything is written: only the tenant's own documents,
    // or the snapshot is refused whole.
    const parsed: [ReplicatedStore, Document[]][] = [];
    for (const store of REPLICATED_TENANT_STORES) {
      const serialized = snapshot.stores[store];
      if (serialized === undefined) continue; // a peer of an older version: that store is left as it is
      const wanted = EJSON.parse(serialized, { relaxed: false }) as Document[];
      if (!Array.isArray(wanted) || wanted.some((d) => (store === 'tenants' ? idOf(d) !== snapshot.tenantId : (d.tenantId as unknown) !== snapshot.tenantId))) {
        throw new Error(`replica of tenant ${snapshot.tenantId}: ${store} holds another tenant's document`);
      }
      parsed.push([store, wanted]);
    }
    let upserted = 0;
    let deleted = 0;
    const changedKeys: string[] = [];
    for (const [store, wanted] of parsed) {
      const filter = filterOf(store, snapshot.tenantId);
      const collection = this.connection.collection<AnyDoc>(store);
      const local = new Map((await collection.find(filter).toArray()).map((d) => [keyOf(d), d]));
      const keep = new Set(wanted.map(keyOf));
      // Deletions first: a document re-created under another id there (an account connected again)
      // would otherwise collide here on its unique key (one number, one page per platform).
      for (const [key, d] of local) {
        if (keep.has(key)) continue;
        await collection.deleteOne({ _id: idOf(d), ...filter });
        deleted += 1;
        if (store === 'api_keys') changedKeys.push(idOf(d));
      }
      for (const d of wanted) {
        const mine = local.get(keyOf(d));
        if (mine && canonical(mine) === canonical(d)) continue;
        await this.replaceOrTakeOver(store, d);
        upserted += 1;
        if (store === 'api_keys' && mine) changedKeys.push(idOf(d));
      }
    }
    return { upserted, deleted, changedKeys };
  }

  /**
   * Replaces the document by `_id`. A unique key held here by another document of the same tenant
   * (the bootstrap tenant's env account, created in each region under its own id) gives way to the
   * active region's.
   */
  private async replaceOrTakeOver(store: ReplicatedStore, d: Document): Promise<void> {
    const collection = this.connection.collection<AnyDoc>(store);
    try {
      await collection.replaceOne({ _id: idOf(d) }, d, { upsert: true });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000 || store !== 'channel_accounts') throw err;
      const { channel, externalId, tenantId } = d as { channel?: unknown; externalId?: unknown; tenantId?: unknown };
      await collection.deleteMany({ channel, externalId, tenantId, _id: { $ne: idOf(d) } });
      await collection.replaceOne({ _id: idOf(d) }, d, { upsert: true });
    }
  }
}
