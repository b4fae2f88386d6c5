import type { OmniError } from '@omni/contracts';
import { MetaCodeTable, mapGraphError } from '../common/meta-errors';
import type { HeaderBag } from '../common/retry-after';

/** https://developers.facebook.com/docs/messenger-platform/error-codes */
const TABLE: MetaCodeTable = {
  provider: 'messenger',
  retryable: new Map([
    [1, { code: 'provider_unavailable' }],
    [2, { code: 'provider_unavailable' }],
    [4, { code: 'rate_limited' }], // application request limit
    [17, { code: 'rate_limited' }], // user request limit
    [32, { code: 'rate_limited' }], // page request limit
    [613, { code: 'rate_limited' }], // calls within one hour exceeded
    [1200, { code: 'provider_unavailable' }], // "temporary send message failure, please try again later"
  ]),
  fatal: new Map([
    [10, 'forbidden'],
    [100, 'invalid_request'],
    [190, 'auth_failed'],
    [200, 'forbidden'],
    [230, 'forbidden'],
    [368, 'policy_blocked'],
    [551, 'recipient_unavailable'], // "this person isn't available right now"
  ]),
  // The window and missing-user errors share generic codes (10, 100) and differ only by subcode.
  fatalSubcodes: new Map([
    [2018278, 'outside_window'],
    [2018001, 'recipient_not_found'],
    [2018108, 'recipient_unavailable'],
    [1545041, 'recipient_unavailable'],
  ]),
};

/** A failed Send API call → RetryableError (rate limits, 429, 5xx; Retry-After honoured) or FatalError. */
export function mapMessengerError(status: number, body: unknown, headers?: HeaderBag): OmniError {
  return mapGraphError(TABLE, status, body, headers);
}
