import { SignatureError } from './errors';
import { constantTimeEquals, hubSignature, verifyHubHandshake, verifyHubSignature } from './hub';
import { parseRetryAfter, headerOf } from './retry-after';

const SECRET = 'test-app-secret';
const BODY = Buffer.from('{"object":"page","entry":[]}');

describe('Meta hub signature and handshake', () => {
  it('accepts a valid signature and rejects missing, wrong, malformed or altered-body ones', () => {
    const sig = hubSignature(BODY, SECRET);
    expect(() => verifyHubSignature(BODY, sig, SECRET)).not.toThrow();
    expect(() => verifyHubSignature(BODY, undefined, SECRET)).toThrow(SignatureError);
    expect(() => verifyHubSignature(BODY, hubSignature(BODY, 'other'), SECRET)).toThrow(/does not match/);
    expect(() => verifyHubSignature(BODY, 'sha1=abc', SECRET)).toThrow(/malformed/);
    expect(() => verifyHubSignature(Buffer.from('{"object":"page","entry":[1]}'), sig, SECRET)).toThrow(/does not match/);
    expect(() => verifyHubSignature(BODY, sig, '')).toThrow(/no app secret/);
  });

  it('answers the challenge only for subscribe + the right token', () => {
    const q = { 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1158201444' };
    expect(verifyHubHandshake(q, 'tok')).toBe('1158201444');
    expect(() => verifyHubHandshake({ ...q, 'hub.verify_token': 'nope' }, 'tok')).toThrow(SignatureError);
    expect(() => verifyHubHandshake({ ...q, 'hub.mode': 'unsubscribe' }, 'tok')).toThrow(SignatureError);
    expect(() => verifyHubHandshake({ ...q, 'hub.challenge': undefined }, 'tok')).toThrow(/challenge/);
  });

  it('compares secrets of different lengths without throwing', () => {
    expect(constantTimeEquals('abc', 'abcd')).toBe(false);
    expect(constantTimeEquals('abc', 'abc')).toBe(true);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP-dates, header names case-insensitively', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(headerOf({ 'Retry-After': '3' }, 'retry-after')).toBe('3');
    expect(headerOf(new Headers({ 'retry-after': '4' }), 'Retry-After')).toBe('4');
  });
});
