import { NoNulBytesPipe, nulPath } from './no-nul-bytes.pipe';

describe('NoNulBytesPipe', () => {
  const pipe = new NoNulBytesPipe();

  it('refuses a NUL in a path parameter, a query value, a body field or a body key, naming where', () => {
    expect(() => pipe.transform('ab\u0000c', { type: 'param', data: 'id' })).toThrow('param.id contains a NUL character');
    expect(() => pipe.transform({ limit: '5', q: ['ok', 'x\u0000'] }, { type: 'query' })).toThrow('query.q.1 contains a NUL character');
    expect(() => pipe.transform({ text: 'hi', meta: { note: 'a\u0000' } }, { type: 'body' })).toThrow('body.meta.note contains a NUL character');
    expect(() => pipe.transform({ ['k\u0000']: 1 }, { type: 'body' })).toThrow('body.k\u0000 contains a NUL character');
  });

  it('lets everything else through unchanged, and ignores what is not a route argument', () => {
    const body = { text: 'olá 👋', n: 1, list: [null, true, { deep: 'x' }] };
    expect(pipe.transform(body, { type: 'body' })).toBe(body);
    expect(pipe.transform('a\u0000b', { type: 'custom' })).toBe('a\u0000b');
    expect(nulPath('plain')).toBeUndefined();
  });
});
