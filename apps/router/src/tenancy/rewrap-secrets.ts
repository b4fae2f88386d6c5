import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountRepository, TENANT_CONNECTOR_REPOSITORY, TenantConnectorRepository, tenantConnectorAad } from '@omni/persistence';
import { Envelopes, KMS, Kms } from '@omni/secrets';
import { rootLogger } from '@omni/telemetry';
import { accountAad } from './account-secrets';

const BATCH = 100;

/**
 * After a KEK rotation (new SECRETS_KEK, old one in SECRETS_KEK_PREVIOUS) every replica keeps reading
 * old envelopes, and this rewraps their data keys under the new KEK in the background: no downtime,
 * the secrets' ciphertexts untouched. Each swap is conditional, so replicas doing it at once are safe.
 * When it reports 0 left, the old KEK may be removed.
 */
@Injectable()
export class RewrapSecrets implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ component: 'rewrap-secrets' });
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    @Inject(CHANNEL_ACCOUNT_REPOSITORY) private readonly accounts: ChannelAccountRepository,
    @Inject(TENANT_CONNECTOR_REPOSITORY) private readonly connectors: TenantConnectorRepository,
    private readonly envelopes: Envelopes,
    @Inject(KMS) private readonly kms: Kms,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.run().catch((err: unknown) => this.log.error({ err }, 'rewrapping channel secrets failed; it is retried at the next start'));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Rewraps until none is left under another KEK; returns how many it moved. */
  async run(): Promise<number> {
    let moved = 0;
    for (;;) {
      if (this.stopped) return moved;
      const batch = await this.accounts.wrappedByOther(this.kms.currentKekId(), BATCH);
      let progressed = 0;
      for (const a of batch) {
        if (!a.secrets) continue;
        const next = await this.envelopes.rewrap(a.secrets, accountAad(a._id));
        if (next && (await this.accounts.swapSecrets(a._id, a.secrets, next))) progressed++;
      }
      moved += progressed;
      if (batch.length < BATCH || progressed === 0) break;
    }
    // The tenants' connector signing secrets (ADR 0226), the same way.
    for (;;) {
      if (this.stopped) return moved;
      const batch = await this.connectors.wrappedByOther(this.kms.currentKekId(), BATCH);
      let progressed = 0;
      for (const c of batch) {
        const next = await this.envelopes.rewrap(c.secrets, tenantConnectorAad(c.tenantId));
        if (next && (await this.connectors.swapSecrets(c.tenantId, c.secrets, next))) progressed++;
      }
      moved += progressed;
      if (batch.length < BATCH || progressed === 0) break;
    }
    if (moved) this.log.info({ moved, kekId: this.kms.currentKekId() }, 'rewrapped channel account and connector secrets under the current KEK');
    return moved;
  }
}
