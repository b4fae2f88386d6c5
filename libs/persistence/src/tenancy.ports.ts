import type { Envelope } from '@omni/secrets';
import type { Channel } from '@omni/contracts';
import type { TenantDoc } from './schemas';
import type { ChannelAccountDoc, TenantConnectorDoc } from './tenancy.schemas';

export type TenantProfile = Pick<TenantDoc, '_id' | 'name' | 'homeRegion' | 'languages' | 'timeZone' | 'nluFallback' | 'kafkaShredding' | 'kafkaShreddingSince' | 'createdAt' | 'updatedAt'>;

/** The platform operator's view of tenants (create, list, read, update the profile). */
export interface TenantDirectory {
  /** Inserts; false when the id is taken (unique _id, no read-then-write). */
  create(t: Omit<TenantDoc, 'createdAt' | 'updatedAt'>): Promise<boolean>;
  /** Creates the tenant when it does not exist; never changes an existing one (bootstrap, every replica). */
  ensure(t: Omit<TenantDoc, 'createdAt' | 'updatedAt'>): Promise<void>;
  list(limit: number): Promise<TenantProfile[]>;
  get(id: string): Promise<TenantProfile | null>;
  update(id: string, fields: Partial<Pick<TenantDoc, 'name' | 'homeRegion' | 'languages' | 'timeZone' | 'nluFallback' | 'handoffPolicy' | 'kafkaShredding' | 'kafkaShreddingSince'>>): Promise<TenantProfile | null>;
}
export const TENANT_DIRECTORY = Symbol('TenantDirectory');

export type NewChannelAccount = Omit<ChannelAccountDoc, 'createdAt' | 'updatedAt'>;

export interface ChannelAccountRepository {
  /** Inserts; 'taken' when the channel's account is connected already (to any tenant: unique index). */
  insert(a: NewChannelAccount): Promise<'created' | 'taken'>;
  /** The bootstrap: inserts when the account is not connected yet, never overwrites; false if it was there. */
  ensure(a: NewChannelAccount): Promise<boolean>;
  list(tenantId: string): Promise<ChannelAccountDoc[]>;
  get(tenantId: string, id: string): Promise<ChannelAccountDoc | null>;
  byExternalId(channel: Channel, externalId: string): Promise<ChannelAccountDoc | null>;
  setSecrets(tenantId: string, id: string, secrets: Envelope, at: Date): Promise<boolean>;
  /** Replaces the envelope only if it is still `expected` (a concurrent rotation wins; the rewrap retries later). */
  swapSecrets(id: string, expected: Envelope, next: Envelope): Promise<boolean>;
  /** Accounts whose data key is wrapped by another KEK than `kekId`. */
  wrappedByOther(kekId: string, limit: number): Promise<ChannelAccountDoc[]>;
  remove(tenantId: string, id: string): Promise<boolean>;
}
export const CHANNEL_ACCOUNT_REPOSITORY = Symbol('ChannelAccountRepository');

export interface TenantConnectorRepository {
  get(tenantId: string): Promise<TenantConnectorDoc | null>;
  /**
   * Writes the connector only if its envelope is still `expected` (null: only if there is none yet):
   * of two admins rotating at once one wins and the other is refused, so no secret is dropped unseen.
   */
  replace(doc: TenantConnectorDoc, expected: TenantConnectorDoc['secrets'] | null): Promise<boolean>;
  /** Replaces the envelope only if it is still `expected` (the KEK rewrap; a concurrent change wins). */
  swapSecrets(tenantId: string, expected: TenantConnectorDoc['secrets'], next: TenantConnectorDoc['secrets']): Promise<boolean>;
  wrappedByOther(kekId: string, limit: number): Promise<TenantConnectorDoc[]>;
  remove(tenantId: string): Promise<boolean>;
}
export const TENANT_CONNECTOR_REPOSITORY = Symbol('TenantConnectorRepository');
