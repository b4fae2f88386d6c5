import { channelAccountAad } from '@omni/persistence';
import type { Envelope, Envelopes } from '@omni/secrets';

/** The AAD of an account's envelope (shared with the channel apps, which open it). */
export const accountAad = channelAccountAad;

export function sealAccountSecrets(envelopes: Envelopes, accountId: string, secrets: Record<string, string>): Promise<Envelope> {
  return envelopes.seal(secrets, accountAad(accountId));
}
