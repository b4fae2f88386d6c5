import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError } from '@omni/contracts';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountRepository } from '@omni/persistence';
import { Envelopes } from '@omni/secrets';
import { accountAad, sealAccountSecrets } from './account-secrets';
import { RotateBodies, botIdOf } from './channel-account-input';
import { parse } from '@omni/contracts';

/** Replaces an account's credentials: a new data key and envelope; the old ones are gone with the write. */
@Injectable()
export class RotateChannelCredentialsUseCase {
  constructor(
    @Inject(CHANNEL_ACCOUNT_REPOSITORY) private readonly accounts: ChannelAccountRepository,
    private readonly envelopes: Envelopes,
  ) {}

  async execute(tenantId: string, id: string, body: unknown): Promise<void> {
    const account = await this.accounts.get(tenantId, id);
    if (!account) throw new NotFoundError(`channel account ${id}`);
    const schema = RotateBodies[account.channel];
    if (!schema) throw new ValidationError('a web widget has no credentials', [{ path: 'channel', message: 'web accounts have no credentials to rotate' }]);
    const next = parse(schema, body, 'body') as Record<string, string>;
    let secrets = next;
    if (account.channel === 'telegram') {
      // A new token of the same bot; another bot is another account (connect it).
      if (botIdOf(next.botToken) !== account.externalId) throw new ValidationError('invalid body', [{ path: 'botToken', message: 'a token of another bot' }]);
      const old = account.secrets ? await this.envelopes.open<Record<string, string>>(account.secrets, accountAad(id)) : {};
      secrets = { ...next, ...(old.webhookSecret ? { webhookSecret: old.webhookSecret } : {}) };
    } else if (account.channel === 'email') {
      const old = account.secrets ? await this.envelopes.open<Record<string, string>>(account.secrets, accountAad(id)) : {};
      secrets = { ...old, ...next };
    }
    const sealed = await sealAccountSecrets(this.envelopes, id, secrets);
    if (!(await this.accounts.setSecrets(tenantId, id, sealed, new Date()))) throw new NotFoundError(`channel account ${id}`);
  }
}
