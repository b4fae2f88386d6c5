import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { RetryableError, ValidationError } from '@omni/contracts';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountRepository, channelAccountAad } from '@omni/persistence';
import { Envelopes } from '@omni/secrets';
import { MESSENGER_CONFIG, MessengerConfig } from '../config';

/** A Page as the webhook needs it: whose it is and the secret its app signs with. */
export interface MessengerPage {
  readonly tenantId: string;
  readonly accountId: string;
  readonly appSecret: string;
}

/** Where the outbound path gets a Page's access token. */
export interface MessengerPageTokens {
  /** The Page access token of this page id, or undefined when no tenant connected it. */
  accessTokenFor(pageId: string): Promise<string | undefined>;
}

/** A Page's stored record, its credentials opened (either may be missing). */
interface Stored {
  readonly tenantId: string;
  readonly accountId: string;
  readonly appSecret?: string;
  readonly pageAccessToken?: string;
}

const CACHE_MS = 30_000;
const META_ID = /^\d{1,25}$/;
const MAX_PAGES = 50;

/**
 * Page id → the connected account (channel_accounts, ADR 0600), its credentials opened: the app
 * secret for the webhook's signature check, the Page access token for sends. The env's Page
 * (MESSENGER_PAGE_ID) stands for the bootstrap tenant, with the env's credentials, until the router
 * has stored it; any other Page has only its stored credentials. Lookups, unknown Pages included,
 * are cached 30 s per replica (at most 10,000).
 */
@Injectable()
export class MessengerAccounts implements MessengerPageTokens {
  private readonly cache = new LRUCache<string, { account: Stored | null }>({ max: 10_000, ttl: CACHE_MS });

  constructor(
    @Inject(CHANNEL_ACCOUNT_REPOSITORY) private readonly accounts: Pick<ChannelAccountRepository, 'byExternalId'>,
    private readonly envelopes: Envelopes,
    @Inject(MESSENGER_CONFIG) private readonly config: MessengerConfig,
  ) {}

  /** The connected Pages among these ids (the others are unknown). */
  async resolve(pageIds: readonly string[]): Promise<Map<string, MessengerPage>> {
    const distinct = new Set(pageIds);
    // Read before the signature check (it says whose secret to check with): bounded, so an unsigned body cannot make many lookups.
    if (distinct.size > MAX_PAGES) throw new ValidationError(`a webhook naming more than ${MAX_PAGES} pages`);
    const out = new Map<string, MessengerPage>();
    for (const id of distinct) {
      const a = await this.lookup(id);
      if (a?.appSecret) out.set(id, { tenantId: a.tenantId, accountId: a.accountId, appSecret: a.appSecret });
    }
    return out;
  }

  async accessTokenFor(pageId: string): Promise<string | undefined> {
    return (await this.lookup(pageId))?.pageAccessToken;
  }

  private async lookup(pageId: string): Promise<Stored | null> {
    // Meta's ids are digits (the router connects no other): anything else is unknown without asking the store.
    if (!META_ID.test(pageId)) return null;
    let hit = this.cache.get(pageId);
    if (!hit) {
      hit = { account: await this.load(pageId) };
      this.cache.set(pageId, hit);
    }
    return hit.account;
  }

  private async load(pageId: string): Promise<Stored | null> {
    let doc;
    try {
      doc = await this.accounts.byExternalId('messenger', pageId);
    } catch (err) {
      throw new RetryableError('store_unavailable', `channel account lookup failed: ${(err as Error).message}`);
    }
    if (doc) {
      if (!doc.secrets) return null;
      const { appSecret, pageAccessToken } = await this.envelopes.open<{ appSecret?: string; pageAccessToken?: string }>(doc.secrets, channelAccountAad(doc._id));
      return { tenantId: doc.tenantId, accountId: pageId, appSecret, pageAccessToken };
    }
    const c = this.config;
    if (pageId === c.MESSENGER_PAGE_ID) {
      return { tenantId: c.TENANT_ID, accountId: pageId, appSecret: c.MESSENGER_APP_SECRET, pageAccessToken: c.MESSENGER_PAGE_ACCESS_TOKEN };
    }
    return null;
  }
}
