import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, OmniError } from '@omni/contracts';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountRepository, TENANT_DIRECTORY, TenantDirectory } from '@omni/persistence';
import { Envelopes } from '@omni/secrets';
import { rootLogger } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { sealAccountSecrets } from './account-secrets';
import { ConnectAccountInput, accountParts, widgetSnippet } from './channel-account-input';
import { TELEGRAM_WEBHOOKS, type TelegramWebhooks } from './telegram-webhooks';

export interface ConnectAccountCommand {
  readonly tenantId: string;
  readonly input: ConnectAccountInput;
  readonly by: string;
}

const log = rootLogger().child({ component: 'channel-accounts' });

export type Connected = { id: string } | { id: string; publicId: string; snippet: string };

/**
 * Connects a channel account to a tenant in one insert: the secrets are sealed first, and the unique
 * (channel, externalId) index refuses an account already connected anywhere (409, nothing stored).
 * A Telegram bot's webhook is then pointed at the gateway with the secret generated for it (only
 * once the bot is ours: a refused duplicate never re-points another tenant's bot); if Telegram
 * refuses or cannot be reached, the account is removed again and the error answered — nothing
 * half-connected.
 */
@Injectable()
export class ConnectChannelAccountUseCase {
  constructor(
    @Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory,
    @Inject(CHANNEL_ACCOUNT_REPOSITORY) private readonly accounts: ChannelAccountRepository,
    private readonly envelopes: Envelopes,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    @Inject(TELEGRAM_WEBHOOKS) private readonly webhooks: TelegramWebhooks,
  ) {}

  async execute(cmd: ConnectAccountCommand): Promise<Connected> {
    if (!(await this.tenants.get(cmd.tenantId))) throw new NotFoundError(`tenant ${cmd.tenantId}`);
    const parts = accountParts(cmd.input);
    const id = `ca_${randomUUID()}`;
    const secrets = parts.secrets ? await sealAccountSecrets(this.envelopes, id, parts.secrets) : undefined;
    const outcome = await this.accounts.insert({
      _id: id, tenantId: cmd.tenantId, channel: cmd.input.channel, externalId: parts.externalId, settings: parts.settings, createdBy: cmd.by,
      ...(parts.name !== undefined ? { name: parts.name } : {}), ...(secrets ? { secrets } : {}),
    });
    // The same answer whether this tenant or another holds it: which tenant is not revealed.
    if (outcome === 'taken') throw new OmniError('conflict', `${parts.idField}: this ${cmd.input.channel} account is already connected`, false);
    if (cmd.input.channel === 'telegram') await this.pointWebhook(cmd.tenantId, id, cmd.input.botToken, parts.externalId, parts.secrets?.webhookSecret ?? '');
    if (cmd.input.channel !== 'web') return { id };
    return { id, publicId: parts.externalId, snippet: widgetSnippet(parts.externalId, this.config.CHANNEL_WEB_PUBLIC_URL) };
  }

  private async pointWebhook(tenantId: string, id: string, botToken: string, botId: string, secret: string): Promise<void> {
    const base = this.config.TELEGRAM_WEBHOOK_BASE_URL;
    if (!base) {
      log.warn({ tenantId, botId }, 'TELEGRAM_WEBHOOK_BASE_URL is unset: the bot is connected but its webhook was not set');
      return;
    }
    try {
      await this.webhooks.set(botToken, `${base.replace(/\/$/, '')}/webhooks/telegram/${botId}`, secret);
    } catch (err) {
      await this.accounts.remove(tenantId, id);
      throw err;
    }
  }
}
