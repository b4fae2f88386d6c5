import type { OmniError } from '@omni/contracts';
import { MetaCodeTable, mapGraphError } from '../common/meta-errors';
import type { HeaderBag } from '../common/retry-after';

/** https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes */
const TABLE: MetaCodeTable = {
  provider: 'whatsapp',
  retryable: new Map([
    [1, { code: 'provider_unavailable' }],
    [2, { code: 'provider_unavailable' }],
    [4, { code: 'rate_limited' }], // app-level call limit
    [80007, { code: 'rate_limited' }], // WABA-level limit
    [130429, { code: 'rate_limited' }], // Cloud API throughput (~80 msg/s per number by default)
    // Spam rate limit: Meta lowered this number's quality; waiting is the only cure, so wait long.
    [131048, { code: 'rate_limited', defaultWaitMs: 60_000 }],
    // Pair rate limit: about one message per 6 s to the same user beyond a short burst.
    [131056, { code: 'pair_rate_limited', defaultWaitMs: 6_000 }],
    [131000, { code: 'provider_unavailable' }],
    [133004, { code: 'provider_unavailable' }],
  ]),
  fatal: new Map([
    [131047, 'outside_window'], // re-engagement: > 24 h since the customer's last message, free text refused
    [131026, 'undeliverable'], // not on WhatsApp, old app version, or has not accepted the new terms
    [100, 'invalid_request'],
    [131008, 'invalid_request'],
    [131009, 'invalid_request'],
    [190, 'auth_failed'],
    [10, 'forbidden'],
    [200, 'forbidden'],
    [368, 'policy_blocked'],
    [131021, 'invalid_request'], // recipient is the sender
    [131031, 'account_locked'],
    [131042, 'payment_required'],
    [131045, 'account_not_registered'],
    [131049, 'not_delivered'], // per-user marketing limit: Meta asks not to retry soon
    [131050, 'recipient_opted_out'],
    [131051, 'unsupported_type'],
    [131053, 'media_failed'],
    [132000, 'template_params_mismatch'],
    [132001, 'template_unavailable'],
    [132005, 'template_params_invalid'],
    [132007, 'template_policy'],
    [132012, 'template_params_invalid'],
    [132015, 'template_unavailable'],
    [132016, 'template_unavailable'],
    [132018, 'template_params_invalid'],
  ]),
};

/** A failed Graph API send → RetryableError (throttling, 429, 5xx; Retry-After honoured) or FatalError. */
export function mapWhatsAppError(status: number, body: unknown, headers?: HeaderBag): OmniError {
  return mapGraphError(TABLE, status, body, headers);
}
