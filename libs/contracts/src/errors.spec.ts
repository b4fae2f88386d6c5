import { z } from 'zod';
import { FatalError, NotFoundError, OmniError, RetryableError, ValidationError, errorSummary, isRetryable } from './errors';

describe('typed errors', () => {
  it('carry a code, a retryable flag and their own class name', () => {
    const v = new ValidationError('bad', [{ path: 'a', message: 'required' }]);
    expect(v).toBeInstanceOf(OmniError);
    expect(v).toMatchObject({ name: 'ValidationError', code: 'validation_failed', retryable: false, details: { issues: [{ path: 'a', message: 'required' }] } });
    expect(new NotFoundError('conversation c1')).toMatchObject({ code: 'not_found', message: 'conversation c1 not found', retryable: false });
    expect(new RetryableError('throttled', 'slow down', 1500)).toMatchObject({ name: 'RetryableError', retryable: true, retryAfterMs: 1500 });
    expect(new FatalError('config', 'broken')).toMatchObject({ name: 'FatalError', retryable: false });
  });
});

describe('isRetryable', () => {
  it.each([
    ['a RetryableError', new RetryableError('timeout', 't'), true],
    ['a ValidationError', new ValidationError('v'), false],
    ['a FatalError', new FatalError('f', 'f'), false],
    ['a NotFoundError', new NotFoundError('x'), false],
    ['an OmniError flagged retryable', new OmniError('x', 'x', true), true],
    ['a TypeError (a bug, retrying will not help)', new TypeError('x is undefined'), false],
    ['a SyntaxError', new SyntaxError('bad json'), false],
    ['a RangeError', new RangeError('too big'), false],
    ['a ZodError', (() => { try { z.string().parse(1); } catch (e) { return e; } })(), false],
    ['an unknown Error (likely infrastructure)', new Error('ECONNRESET'), true],
    ['a thrown string', 'boom', true],
  ])('%s → %s', (_name, err, expected) => {
    expect(isRetryable(err)).toBe(expected);
  });
});

describe('errorSummary', () => {
  it('summarizes typed, plain and non-Error throwables', () => {
    expect(errorSummary(new ValidationError('bad input'))).toEqual({ code: 'validation_failed', message: 'bad input', retryable: false });
    expect(errorSummary(new TypeError('oops'))).toEqual({ code: 'TypeError', message: 'oops', retryable: false });
    expect(errorSummary(new Error('down'))).toEqual({ code: 'Error', message: 'down', retryable: true });
    expect(errorSummary(42)).toEqual({ code: 'unknown', message: '42', retryable: true });
  });
});
