import { z } from 'zod';
import { ValidationError } from './errors';
import { parse } from './validation';

describe('parse', () => {
  const Body = z.object({ name: z.string().min(1), tags: z.array(z.string()).max(1) }).strict();

  it('returns the parsed value', () => {
    expect(parse(Body, { name: 'a', tags: ['x'] }, 'body')).toEqual({ name: 'a', tags: ['x'] });
  });

  it('throws a ValidationError naming every offending path', () => {
    let caught: unknown;
    try {
      parse(Body, { name: '', tags: ['x', 'y'], extra: 1 }, 'body');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const err = caught as ValidationError;
    expect(err.message).toBe('invalid body');
    expect(err.issues.map((i) => i.path).sort()).toEqual(['', 'name', 'tags']);
  });
});
