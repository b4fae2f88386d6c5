import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { RetryableError } from '@omni/contracts';
import { telegramBotId } from '@omni/channels';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountRepository, channelAccountAad } from '@omni/persistence';
import { Envelopes } from '@omni/secrets';
import { TELEGRAM_CONFIG, TelegramConfig } from '../config';
import type { BotApi } from '../outbound/bot-api';

/** A connected bot: whose it is, the secret its webhook carries, and its Bot API client. */
export interface TelegramBot {
  readonly tenantId: string;
  /** The bot's numeric id (the token's prefix): our account id. */
  readonly accountId: string;
  readonly webhookSecret: string;
  /** The Bot API with this bot's token (the token itself stays inside the client). */
  readonly api: BotApi;
}

/** Where the webhook, the sends and the file downloads find a bot. */
export interface TelegramBotLookup {
  /** The connected bot with this id, or undefined when no tenant connected it. */
  bot(botId: string): Promise<TelegramBot | undefined>;
  /** The file download URL of this bot (carries its token: never logged). */
  fileUrl(botId: string, filePath: string): Promise<string | undefined>;
}

/** Builds a Bot API client for one token (telegraf in the app, a fake in tests). */
export type BotApiFactory = (botToken: string) => BotApi;
export const BOT_API_FACTORY = Symbol('BOT_API_FACTORY');

interface Stored {
  readonly tenantId: string;
  readonly accountId: string;
  readonly botToken: string;
  readonly webhookSecret: string;
  readonly api: BotApi;
}

const CACHE_MS = 30_000;

/**
 * Bot id → the connected account (channel_accounts, ADR 0600), its token and webhook secret opened
 * from the envelope, with one Bot API client per token. The env's bot (TELEGRAM_BOT_TOKEN,
 * TELEGRAM_WEBHOOK_SECRET) stands for the bootstrap tenant until the router has stored it.
 * Lookups, unknown bots included, are cached 30 s per replica (at most 10,000).
 */
@Injectable()
export class TelegramBots implements TelegramBotLookup {
  private readonly cache = new LRUCache<string, { bot: Stored | null }>({ max: 10_000, ttl: CACHE_MS });
  private readonly envBotId: string;

  constructor(
    @Inject(CHANNEL_ACCOUNT_REPOSITORY) private readonly accounts: Pick<ChannelAccountRepository, 'byExternalId'>,
    private readonly envelopes: Envelopes,
    @Inject(TELEGRAM_CONFIG) private readonly config: TelegramConfig,
    @Inject(BOT_API_FACTORY) private readonly clientFor: BotApiFactory,
  ) {
    this.envBotId = telegramBotId(config.TELEGRAM_BOT_TOKEN);
  }

  /** The env's bot id: `POST /webhooks/telegram` without a bot segment is its webhook. */
  get defaultBotId(): string {
    return this.envBotId;
  }

  async bot(botId: string): Promise<TelegramBot | undefined> {
    const b = await this.lookup(botId);
    return b ? { tenantId: b.tenantId, accountId: b.accountId, webhookSecret: b.webhookSecret, api: b.api } : undefined;
  }

  async fileUrl(botId: string, filePath: string): Promise<string | undefined> {
    const b = await this.lookup(botId);
    return b ? `${this.config.TELEGRAM_API_ROOT.replace(/\/+$/, '')}/file/bot${b.botToken}/${filePath}` : undefined;
  }

  private async lookup(botId: string): Promise<Stored | null> {
    if (!/^\d{1,20}$/.test(botId)) return null;
    let hit = this.cache.get(botId);
    if (!hit) {
      hit = { bot: await this.load(botId) };
      this.cache.set(botId, hit);
    }
    return hit.bot;
  }

  private async load(botId: string): Promise<Stored | null> {
    let doc;
    try {
      doc = await this.accounts.byExternalId('telegram', botId);
    } catch (err) {
      throw new RetryableError('store_unavailable', `channel account lookup failed: ${(err as Error).message}`);
    }
    if (doc) {
      if (!doc.secrets) return null;
      const { botToken, webhookSecret } = await this.envelopes.open<{ botToken?: string; webhookSecret?: string }>(doc.secrets, channelAccountAad(doc._id));
      if (!botToken || !webhookSecret) return null;
      return { tenantId: doc.tenantId, accountId: botId, botToken, webhookSecret, api: this.clientFor(botToken) };
    }
    const c = this.config;
    if (botId === this.envBotId) {
      return { tenantId: c.TENANT_ID, accountId: botId, botToken: c.TELEGRAM_BOT_TOKEN, webhookSecret: c.TELEGRAM_WEBHOOK_SECRET, api: this.clientFor(c.TELEGRAM_BOT_TOKEN) };
    }
    return null;
  }
}
