import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Channel } from '@omni/contracts';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountRepository, TENANT_DIRECTORY, TenantDirectory } from '@omni/persistence';
import { Envelope, Envelopes } from '@omni/secrets';
import { rootLogger } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { accountAad, sealAccountSecrets } from './account-secrets';
import { botIdOf } from './channel-account-input';

interface EnvAccount {
  channel: Channel;
  externalId: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string> | null;
}

/** Today's single-account env names as accounts (an account whose names are not all set is left out). */
export function envAccounts(c: RouterConfig): EnvAccount[] {
  const out: EnvAccount[] = [];
  if (c.WHATSAPP_PHONE_NUMBER_ID && c.WHATSAPP_ACCESS_TOKEN && c.WHATSAPP_APP_SECRET) {
    out.push({ channel: 'whatsapp', externalId: c.WHATSAPP_PHONE_NUMBER_ID, settings: {}, secrets: { accessToken: c.WHATSAPP_ACCESS_TOKEN, appSecret: c.WHATSAPP_APP_SECRET } });
  }
  if (c.MESSENGER_PAGE_ID && c.MESSENGER_PAGE_ACCESS_TOKEN && c.MESSENGER_APP_SECRET) {
    out.push({ channel: 'messenger', externalId: c.MESSENGER_PAGE_ID, settings: {}, secrets: { pageAccessToken: c.MESSENGER_PAGE_ACCESS_TOKEN, appSecret: c.MESSENGER_APP_SECRET } });
  }
  if (c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_BOT_TOKEN.includes(':')) {
    out.push({
      channel: 'telegram', externalId: botIdOf(c.TELEGRAM_BOT_TOKEN), settings: {},
      secrets: { botToken: c.TELEGRAM_BOT_TOKEN, ...(c.TELEGRAM_WEBHOOK_SECRET ? { webhookSecret: c.TELEGRAM_WEBHOOK_SECRET } : {}) },
    });
  }
  if (c.EMAIL_ADDRESS) out.push({ channel: 'email', externalId: c.EMAIL_ADDRESS.toLowerCase(), settings: {}, secrets: null });
  return out;
}

/**
 * At start, the env's tenant (TENANT_ID) and accounts become data, so a deployment of one company
 * needs no setup (`npm run up` included). Idempotent and safe on every replica: both writes insert
 * only when absent (unique keys). An account the env created follows the env's credentials (a secret
 * rotated in the env is stored at the next start); an env account that another tenant connected
 * meanwhile stays theirs (logged).
 */
@Injectable()
export class BootstrapTenant implements OnApplicationBootstrap {
  private readonly log = rootLogger().child({ component: 'bootstrap-tenant' });

  constructor(
    @Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory,
    @Inject(CHANNEL_ACCOUNT_REPOSITORY) private readonly accounts: ChannelAccountRepository,
    private readonly envelopes: Envelopes,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tenantId = this.config.TENANT_ID;
    await this.tenants.ensure({ _id: tenantId, name: tenantId, homeRegion: this.config.REGION, languages: ['en'], timeZone: 'UTC' });
    for (const a of envAccounts(this.config)) {
      // A stable id per (channel, account): every replica writes the same document, the first one wins.
      const id = `ca_env_${a.channel}_${a.externalId}`;
      const secrets = a.secrets ? await sealAccountSecrets(this.envelopes, id, a.secrets) : undefined;
      const created = await this.accounts.ensure({
        _id: id, tenantId, channel: a.channel, externalId: a.externalId, settings: a.settings, createdBy: 'bootstrap (env)', ...(secrets ? { secrets } : {}),
      });
      if (created) {
        this.log.info({ tenantId, channel: a.channel, externalId: a.externalId }, 'connected the env account to the bootstrap tenant');
        continue;
      }
      const holder = await this.accounts.byExternalId(a.channel, a.externalId);
      if (holder && holder.tenantId !== tenantId) {
        this.log.warn({ channel: a.channel, externalId: a.externalId }, 'the env account is connected to another tenant; left as it is');
      } else if (holder?._id === id && a.secrets && (await this.envChanged(holder.secrets, id, a.secrets))) {
        // The env stays the source of the account it created: a secret changed in the env (rotated by the operator) wins.
        await this.accounts.setSecrets(tenantId, id, await sealAccountSecrets(this.envelopes, id, a.secrets), new Date());
        this.log.info({ tenantId, channel: a.channel, externalId: a.externalId }, 'the env account’s credentials changed in the env: stored the new ones');
      }
    }
  }

  private async envChanged(stored: Envelope | undefined, id: string, env: Record<string, string>): Promise<boolean> {
    if (!stored) return true;
    const current = await this.envelopes.open<Record<string, string>>(stored, accountAad(id));
    return Object.entries(env).some(([k, v]) => current[k] !== v);
  }
}
