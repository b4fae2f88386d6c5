import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { isDuplicateKey } from '@omni/persistence';

/**
 * Who runs a linked-device account's client. A WhatsApp Web session open in two browsers at once
 * conflicts, and whatsapp-web.js reacts to the resulting logout by deleting the stored session — so
 * two replicas (or the old and new pod of a rolling update) must never both start it.
 */
export interface AccountLease {
  /** true when this instance holds (or now took) the account. */
  acquire(accountId: string): Promise<boolean>;
  /** false when the lease was lost (expired and taken by another instance). */
  renew(accountId: string): Promise<boolean>;
  release(accountId: string): Promise<void>;
}
export const ACCOUNT_LEASE = Symbol('ACCOUNT_LEASE');

interface LeaseDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

/**
 * A lease document per account in `linked_device_leases`, taken by insert on its unique `_id` (ADR
 * 0210: no conditional-update claims on FerretDB); an expired lease is deleted by a filter on its
 * expiry and the insert retried, so of two instances racing for it one insert wins.
 */
export class MongoAccountLease implements AccountLease {
  constructor(
    private readonly connection: Connection,
    private readonly ttlMs: number,
    readonly owner = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get leases() {
    return this.connection.collection<LeaseDoc>('linked_device_leases');
  }

  async acquire(accountId: string): Promise<boolean> {
    if (await this.insert(accountId)) return true;
    const current = await this.leases.findOne({ _id: accountId });
    if (current?.owner === this.owner) return this.renew(accountId);
    if (current && current.expiresAt > this.now()) return false;
    await this.leases.deleteOne({ _id: accountId, expiresAt: { $lte: this.now() } });
    return this.insert(accountId);
  }

  async renew(accountId: string): Promise<boolean> {
    const res = await this.leases.updateOne({ _id: accountId, owner: this.owner }, { $set: { expiresAt: new Date(this.now().getTime() + this.ttlMs) } });
    return res.matchedCount === 1;
  }

  async release(accountId: string): Promise<void> {
    await this.leases.deleteOne({ _id: accountId, owner: this.owner });
  }

  private async insert(accountId: string): Promise<boolean> {
    try {
      await this.leases.insertOne({ _id: accountId, owner: this.owner, expiresAt: new Date(this.now().getTime() + this.ttlMs) });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }
}
