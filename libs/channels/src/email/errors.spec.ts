import { FatalError, RetryableError } from '@omni/contracts';
import { mapSmtpError } from './errors';

describe('mapSmtpError', () => {
  it('retries temporary SMTP replies and connection failures', () => {
    expect(mapSmtpError({ code: 'EENVELOPE', responseCode: 451, response: '451 4.7.1 Greylisted, try again later' })).toBeInstanceOf(RetryableError);
    expect(mapSmtpError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' })).toBeInstanceOf(RetryableError);
    expect(mapSmtpError(new Error('socket hang up')).code).toBe('smtp_unavailable');
  });

  it('fails permanently on 5xx and authentication errors, with the SMTP code', () => {
    const rejected = mapSmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 User unknown' });
    expect(rejected).toBeInstanceOf(FatalError);
    expect(rejected.code).toBe('recipient_rejected');
    expect(rejected.details).toMatchObject({ providerCode: '550', reason: '550 5.1.1 User unknown' });
    expect(mapSmtpError({ code: 'EAUTH', responseCode: 535, response: '535 Authentication failed' }).code).toBe('auth_failed');
    expect(mapSmtpError({ responseCode: 552 }).code).toBe('message_too_large');
  });
});
