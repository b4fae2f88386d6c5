import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { RetryableError } from '@omni/contracts';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountRepository } from '@omni/persistence';
import { EMAIL_CONFIG, EmailConfig } from '../config';

/** A connected mailbox: whose it is; its address (lower case) is the account id. */
export interface Mailbox {
  readonly tenantId: string;
  readonly accountId: string;
}

/** Where the SMTP server, the inbound use case and the sender find a mailbox. */
export interface MailboxLookup {
  mailbox(address: string): Promise<Mailbox | undefined>;
}

const CACHE_MS = 30_000;

/**
 * Address → the connected mailbox (channel_accounts, ADR 0600). The env's EMAIL_ADDRESS stands for
 * the bootstrap tenant until the router has stored it. Lookups, unknown addresses included, are
 * cached 30 s per replica (at most 10,000), so a newly connected mailbox receives within that time.
 */
@Injectable()
export class EmailMailboxes implements MailboxLookup {
  private readonly cache = new LRUCache<string, { box: Mailbox | null }>({ max: 10_000, ttl: CACHE_MS });

  constructor(
    @Inject(CHANNEL_ACCOUNT_REPOSITORY) private readonly accounts: Pick<ChannelAccountRepository, 'byExternalId'>,
    @Inject(EMAIL_CONFIG) private readonly config: EmailConfig,
  ) {}

  async mailbox(address: string): Promise<Mailbox | undefined> {
    const key = address.trim().toLowerCase();
    if (!key || key.length > 320) return undefined;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = { box: await this.load(key) };
      this.cache.set(key, hit);
    }
    return hit.box ?? undefined;
  }

  private async load(address: string): Promise<Mailbox | null> {
    let doc;
    try {
      doc = await this.accounts.byExternalId('email', address);
    } catch (err) {
      throw new RetryableError('store_unavailable', `channel account lookup failed: ${(err as Error).message}`);
    }
    if (doc) return { tenantId: doc.tenantId, accountId: address };
    if (address === this.config.EMAIL_ADDRESS) return { tenantId: this.config.TENANT_ID, accountId: address };
    return null;
  }
}
