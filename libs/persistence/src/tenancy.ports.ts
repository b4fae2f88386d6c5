import type { Envelope } from '@omni/secrets';
import type { Channel } from '@omni/contracts';
import type { TenantDoc } from './schemas';
import type { ChannelAccountDoc } from './tenancy.schemas';

export type TenantProfile = Pick<TenantDoc, '_id' | 'name' | 'homeRegion' | 'languages' | 'timeZone' | 'nluFallback' | 'createdAt' | 'updatedAt'>;

/** The platform operator's view of tenants (create, list, read, update the profile). */
export interface TenantDirectory {
  /** Inserts; false when the id is taken (unique _id, no read-then-write). */
  create(t: Omit<TenantDoc, 'createdAt' | 'updatedAt'>): Promise<boolean>;
  /** Creates the tenant when it does not exist; never changes an existing one (bootstrap, every replica). */
  ensure(t: Omit<TenantDoc, 'createdAt' | 'updatedAt'>): Promise<void>;
  list(limit: number): Promise<TenantProfile[]>;
  get(id: string): Promise<TenantProfile | null>;
  update(id: string, fields: Partial<Pick<TenantDoc, 'name' | 'homeRegion' | 'languages' | 'timeZone' | 'nluFallback' | 'handoffPolicy'>>): Promise<TenantProfile | null>;
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
