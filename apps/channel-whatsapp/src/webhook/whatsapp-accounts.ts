import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { RetryableError, ValidationError } from '@omni/contracts';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountRepository, channelAccountAad } from '@omni/persistence';
import { Envelopes } from '@omni/secrets';
import { WHATSAPP_CONFIG, WhatsAppConfig } from '../config';

/** A WhatsApp number as the webhook needs it: whose it is and the secret its app signs with. */
export interface WhatsAppAccount {
  readonly tenantId: string;
  readonly accountId: string;
  readonly appSecret: string;
}

const CACHE_MS = 30_000;
const MAX_NUMBERS = 50;

/**
 * phone_number_id → the connected account (channel_accounts, ADR 0600), its credentials opened.
 * The env's number (WHATSAPP_PHONE_NUMBER_ID) stands for the bootstrap tenant until the router has
 * stored it. Lookups, unknown numbers included, are cached 30 s per replica (at most 10,000), so a
 * newly connected number is served within that time.
 */
@Injectable()
export class WhatsAppAccounts {
  private readonly cache = new LRUCache<string, { account: WhatsAppAccount | null }>({ max: 10_000, ttl: CACHE_MS });

  constructor(
    @Inject(CHANNEL_ACCOUNT_REPOSITORY) private readonly accounts: Pick<ChannelAccountRepository, 'byExternalId'>,
    private readonly envelopes: Envelopes,
    @Inject(WHATSAPP_CONFIG) private readonly config: WhatsAppConfig,
  ) {}

  /** The connected accounts among these numbers (the others are unknown). */
  async resolve(phoneNumberIds: readonly string[]): Promise<Map<string, WhatsAppAccount>> {
    const distinct = new Set(phoneNumberIds);
    // Read before the signature check (it says whose secret to check with): bounded, so an unsigned body cannot make many lookups.
    if (distinct.size > MAX_NUMBERS) throw new ValidationError(`a webhook naming more than ${MAX_NUMBERS} phone numbers`);
    const out = new Map<string, WhatsAppAccount>();
    for (const id of distinct) {
      let hit = this.cache.get(id);
      if (!hit) {
        hit = { account: await this.load(id) };
        this.cache.set(id, hit);
      }
      if (hit.account) out.set(id, hit.account);
    }
    return out;
  }

  private async load(phoneNumberId: string): Promise<WhatsAppAccount | null> {
    let doc;
    try {
      doc = await this.accounts.byExternalId('whatsapp', phoneNumberId);
    } catch (err) {
      throw new RetryableError('store_unavailable', `channel account lookup failed: ${(err as Error).message}`);
    }
    if (doc?.secrets) {
      const { appSecret } = await this.envelopes.open<{ appSecret?: string }>(doc.secrets, channelAccountAad(doc._id));
      if (appSecret) return { tenantId: doc.tenantId, accountId: phoneNumberId, appSecret };
    }
    if (!doc && phoneNumberId === this.config.WHATSAPP_PHONE_NUMBER_ID && this.config.WHATSAPP_APP_SECRET) {
      return { tenantId: this.config.TENANT_ID, accountId: phoneNumberId, appSecret: this.config.WHATSAPP_APP_SECRET };
    }
    return null;
  }
}
