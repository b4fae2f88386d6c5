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

/** Where the outbound path and the media fetch get a number's Cloud API token. */
export interface WhatsAppAccessTokens {
  /** The access token of this phone_number_id, or undefined when no tenant connected it. */
  accessTokenFor(phoneNumberId: string): Promise<string | undefined>;
}

/** A number's stored record, its credentials opened (either may be missing). */
interface Stored {
  readonly tenantId: string;
  readonly accountId: string;
  readonly appSecret?: string;
  readonly accessToken?: string;
}

const CACHE_MS = 30_000;
const META_ID = /^\d{1,25}$/;
const MAX_NUMBERS = 50;

/**
 * phone_number_id → the connected account (channel_accounts, ADR 0600), its credentials opened:
 * the app secret for the webhook's signature check, the access token for sends and media.
 * The env's number (WHATSAPP_PHONE_NUMBER_ID) stands for the bootstrap tenant, with the env's
 * credentials, until the router has stored it; any other number has only its stored credentials.
 * Lookups, unknown numbers included, are cached 30 s per replica (at most 10,000), so a newly
 * connected number is served, and a rotated credential used, within that time.
 */
@Injectable()
export class WhatsAppAccounts implements WhatsAppAccessTokens {
  private readonly cache = new LRUCache<string, { account: Stored | null }>({ max: 10_000, ttl: CACHE_MS });

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
      const a = await this.lookup(id);
      if (a?.appSecret) out.set(id, { tenantId: a.tenantId, accountId: a.accountId, appSecret: a.appSecret });
    }
    return out;
  }

  async accessTokenFor(phoneNumberId: string): Promise<string | undefined> {
    return (await this.lookup(phoneNumberId))?.accessToken;
  }

  private async lookup(phoneNumberId: string): Promise<Stored | null> {
    // Meta's ids are digits (the router connects no other): anything else is unknown without asking the store.
    if (!META_ID.test(phoneNumberId)) return null;
    let hit = this.cache.get(phoneNumberId);
    if (!hit) {
      hit = { account: await this.load(phoneNumberId) };
      this.cache.set(phoneNumberId, hit);
    }
    return hit.account;
  }

  private async load(phoneNumberId: string): Promise<Stored | null> {
    let doc;
    try {
      doc = await this.accounts.byExternalId('whatsapp', phoneNumberId);
    } catch (err) {
      throw new RetryableError('store_unavailable', `channel account lookup failed: ${(err as Error).message}`);
    }
    if (doc) {
      if (!doc.secrets) return null;
      const { appSecret, accessToken } = await this.envelopes.open<{ appSecret?: string; accessToken?: string }>(doc.secrets, channelAccountAad(doc._id));
      return { tenantId: doc.tenantId, accountId: phoneNumberId, appSecret, accessToken };
    }
    const c = this.config;
    if (phoneNumberId === c.WHATSAPP_PHONE_NUMBER_ID && (c.WHATSAPP_APP_SECRET || c.WHATSAPP_ACCESS_TOKEN)) {
      return { tenantId: c.TENANT_ID, accountId: phoneNumberId, appSecret: c.WHATSAPP_APP_SECRET, accessToken: c.WHATSAPP_ACCESS_TOKEN };
    }
    return null;
  }
}
