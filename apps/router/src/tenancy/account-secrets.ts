import type { Envelopes } from '@omni/secrets';
import type { Envelope } from '@omni/secrets';

/** The AAD of an account's envelope: its id, so an envelope copied onto another account does not open. */
export function accountAad(accountId: string): string {
  return `channel-account:${accountId}`;
}

export function sealAccountSecrets(envelopes: Envelopes, accountId: string, secrets: Record<string, string>): Promise<Envelope> {
  return envelopes.seal(secrets, accountAad(accountId));
}
