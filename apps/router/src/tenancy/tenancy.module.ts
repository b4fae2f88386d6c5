import { Module } from '@nestjs/common';
import { Envelopes, KMS, Kms, kmsFromConfig } from '@omni/secrets';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { ApiKeysController } from './api-keys.controller';
import { BootstrapTenant } from './bootstrap-tenant';
import { ChannelAccountsController } from './channel-accounts.controller';
import { ConnectChannelAccountUseCase } from './connect-channel-account.use-case';
import { RewrapSecrets } from './rewrap-secrets';
import { RotateChannelCredentialsUseCase } from './rotate-channel-credentials.use-case';
import { TenantsController } from './tenants.controller';
import { BotApiWebhooks, TELEGRAM_WEBHOOKS } from './telegram-webhooks';
import { ChangeTenantSettingsUseCase } from '../settings/change-tenant-settings.use-case';
import { TenantSettingsController } from '../settings/tenant-settings.controller';

/** Tenants, their API keys, channel accounts and settings (ADR 0600), and the bootstrap tenant from the env. */
@Module({
  controllers: [TenantsController, ApiKeysController, ChannelAccountsController, TenantSettingsController],
  providers: [
    { provide: KMS, inject: [ROUTER_CONFIG], useFactory: (c: RouterConfig): Kms => kmsFromConfig(c) },
    { provide: Envelopes, inject: [KMS], useFactory: (kms: Kms) => new Envelopes(kms) },
    { provide: TELEGRAM_WEBHOOKS, useClass: BotApiWebhooks },
    ConnectChannelAccountUseCase,
    RotateChannelCredentialsUseCase,
    BootstrapTenant,
    RewrapSecrets,
    ChangeTenantSettingsUseCase,
  ],
  exports: [ChangeTenantSettingsUseCase, Envelopes],
})
export class TenancyModule {}
