import { FatalError, RetryableError } from '@omni/contracts';
import { mapMessengerError } from './errors';

const graph = (code: number, subcode?: number) => ({ error: { message: '(#' + code + ') error', type: 'OAuthException', code, error_subcode: subcode, fbtrace_id: 'Xyz' } });

describe('mapMessengerError', () => {
  it.each([4, 17, 32, 613, 1200])('retries code %i', (code) => {
    expect(mapMessengerError(400, graph(code))).toBeInstanceOf(RetryableError);
  });

  it('honours Retry-After on 429 and retries 5xx', () => {
    expect((mapMessengerError(429, graph(613), { 'retry-after': '30' }) as RetryableError).retryAfterMs).toBe(30_000);
    expect(mapMessengerError(502, null).code).toBe('provider_unavailable');
  });

  it('reads the window and missing-user meanings from the subcode', () => {
    const outside = mapMessengerError(400, graph(10, 2018278));
    expect(outside).toBeInstanceOf(FatalError);
    expect(outside.code).toBe('outside_window');
    expect(outside.details).toMatchObject({ providerCode: '10', providerSubcode: 2018278 });
    expect(mapMessengerError(400, graph(100, 2018001)).code).toBe('recipient_not_found');
    expect(mapMessengerError(400, graph(100)).code).toBe('invalid_request');
    expect(mapMessengerError(400, graph(551)).code).toBe('recipient_unavailable');
  });
});
