import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import { LRUCache } from 'lru-cache';
import { insertOnce } from './mongo-errors';

/**
 * One version of a tenant's settings: written once per change (insert on `tenantId:version`, never
 * updated), so the documents are both the version history and the audit log — who changed which
 * section when, with its value before and after.
 */
export interface TenantSettingsVersionDoc {
  _id: string;
  tenantId: string;
  version: number;
  /** The section changed by this version. */
  section: string;
  before: unknown;
  after: unknown;
  /** Every section as of this version. */
  settings: Record<string, unknown>;
  /** The credential's name (`api:<key name>` or the operator). */
  by: string;
  at: Date;
}

export const TenantSettingsVersionSchema = new Schema<TenantSettingsVersionDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    version: { type: Number, required: true },
    section: { type: String, required: true },
    before: Schema.Types.Mixed,
    after: Schema.Types.Mixed,
    settings: { type: Schema.Types.Mixed, required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'tenant_settings', minimize: false },
);
// The latest version and the audit log, newest first.
TenantSettingsVersionSchema.index({ tenantId: 1, version: -1 });

export interface TenantSettingsStore {
  /** The tenant's latest version, or null before its first change. */
  latest(tenantId: string): Promise<TenantSettingsVersionDoc | null>;
  /** Inserts the next version; false when that version exists (someone else changed the settings first). */
  append(v: TenantSettingsVersionDoc): Promise<boolean>;
  /** The changes, newest first. */
  history(tenantId: string, limit: number): Promise<TenantSettingsVersionDoc[]>;
}
export const TENANT_SETTINGS_STORE = Symbol('TenantSettingsStore');

@Injectable()
export class MongoTenantSettingsStore implements TenantSettingsStore {
  constructor(@InjectModel('TenantSettingsVersion') private readonly model: Model<TenantSettingsVersionDoc>) {}

  latest(tenantId: string): Promise<TenantSettingsVersionDoc | null> {
    return this.model.findOne({ tenantId }).sort({ version: -1 }).lean<TenantSettingsVersionDoc>().exec();
  }

  append(v: TenantSettingsVersionDoc): Promise<boolean> {
    return insertOnce(this.model, v);
  }

  history(tenantId: string, limit: number): Promise<TenantSettingsVersionDoc[]> {
    return this.model.find({ tenantId }).sort({ version: -1 }).limit(limit).lean<TenantSettingsVersionDoc[]>().exec();
  }
}

/** How long a reader keeps a tenant's latest settings: an admin's change acts within this (ADR 0602). */
export const TENANT_SETTINGS_CACHE_MS = 10_000;

/**
 * The sections of a tenant's latest settings version, for the code that acts on them (routing, the
 * WhatsApp sender, the web widget): read on every decision, so kept for a few seconds per tenant.
 */
export class LatestTenantSettings {
  private readonly cache: LRUCache<string, { settings: Record<string, unknown> }>;

  constructor(private readonly store: TenantSettingsStore, ttlMs = TENANT_SETTINGS_CACHE_MS) {
    this.cache = new LRUCache({ max: 10_000, ttl: Math.max(ttlMs, 1) });
  }

  async of(tenantId: string): Promise<Record<string, unknown>> {
    const hit = this.cache.get(tenantId);
    if (hit) return hit.settings;
    const settings = (await this.store.latest(tenantId))?.settings ?? {};
    this.cache.set(tenantId, { settings });
    return settings;
  }

  /** After a change made here: this replica reads the new version at once (the others within the TTL). */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }
}
export const LATEST_TENANT_SETTINGS = Symbol('LatestTenantSettings');
