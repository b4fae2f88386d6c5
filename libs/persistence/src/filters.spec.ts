import { anyOf } from './filters';

describe('anyOf', () => {
  it('is an equality for one value, which the local store answers from its index', () => {
    expect(anyOf('customerId', ['c1'])).toEqual({ customerId: 'c1' });
  });

  it('is $in for several values or none (a copy: the caller may change its array)', () => {
    const ids = ['c1', 'c2'];
    const f = anyOf('customerId', ids);
    ids.push('c3');
    expect(f).toEqual({ customerId: { $in: ['c1', 'c2'] } });
    expect(anyOf('customerId', [])).toEqual({ customerId: { $in: [] } });
  });
});
