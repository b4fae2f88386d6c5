import { SignatureError } from '../common/errors';
import { constantTimeEquals } from '../common/hub';

export interface TelegramVerifierConfig {
  /** The `secret_token` given to setWebhook: 1-256 characters of A-Z, a-z, 0-9, `_` and `-`. */
  secretToken: string;
}

/**
 * Telegram does not sign bodies: it echoes the setWebhook `secret_token` in
 * `X-Telegram-Bot-Api-Secret-Token` on every update, which is compared in constant time.
 */
export class TelegramVerifier {
  constructor(private readonly config: TelegramVerifierConfig) {
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(config.secretToken)) {
      throw new SignatureError('the Telegram webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -');
    }
  }

  verify(secretHeader: string | undefined): void {
    if (!secretHeader) throw new SignatureError('missing X-Telegram-Bot-Api-Secret-Token header');
    if (!constantTimeEquals(secretHeader, this.config.secretToken)) throw new SignatureError('X-Telegram-Bot-Api-Secret-Token does not match');
  }
}

/** The bot's numeric id is the part of its token before the colon; it names the account. */
export function telegramBotId(token: string): string {
  const id = token.split(':')[0];
  if (!/^\d+$/.test(id)) throw new SignatureError('a Telegram bot token looks like <numeric id>:<secret>');
  return id;
}
