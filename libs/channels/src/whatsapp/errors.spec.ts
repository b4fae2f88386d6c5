import { FatalError, RetryableError } from '@omni/contracts';
import { failedStatusError } from '../common/errors';
import { mapWhatsAppError } from './errors';

const graph = (code: number, message = 'msg', details?: string) => ({
  error: { message, type: 'OAuthException', code, error_data: details ? { messaging_product: 'whatsapp', details } : undefined, fbtrace_id: 'AbC123' },
});

describe('mapWhatsAppError', () => {
  it.each([4, 80007, 130429, 131048, 131056])('treats throttling code %i as retryable', (code) => {
    const err = mapWhatsAppError(400, graph(code));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.details).toMatchObject({ provider: 'whatsapp', providerCode: String(code) });
  });

  it('honours Retry-After, else the documented wait of the pair limit', () => {
    expect((mapWhatsAppError(429, graph(130429), { 'Retry-After': '12' }) as RetryableError).retryAfterMs).toBe(12_000);
    expect((mapWhatsAppError(400, graph(131056)) as RetryableError).retryAfterMs).toBe(6_000);
    expect((mapWhatsAppError(429, {}, {}) as RetryableError).retryAfterMs).toBeUndefined();
  });

  it('retries 5xx and non-JSON gateway errors', () => {
    const err = mapWhatsAppError(503, '<html>Service Unavailable</html>', { 'retry-after': '2' });
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(2000);
    expect(err.details).toMatchObject({ providerCode: 'http_503' });
  });

  it.each([
    [131047, 'outside_window'],
    [131026, 'undeliverable'],
    [100, 'invalid_request'],
    [190, 'auth_failed'],
    [132001, 'template_unavailable'],
  ])('maps code %i to a FatalError %s with the provider code and reason', (code, ours) => {
    const err = mapWhatsAppError(400, graph(code, 'Re-engagement message', 'more than 24 hours have passed'));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.code).toBe(ours);
    expect(failedStatusError(err)).toEqual({ code: String(code), reason: 'Re-engagement message: more than 24 hours have passed', retryable: false });
  });

  it('falls back on the HTTP status for unknown codes', () => {
    expect(mapWhatsAppError(401, graph(999999)).code).toBe('auth_failed');
    expect(mapWhatsAppError(400, graph(999999)).code).toBe('provider_rejected');
  });
});
