import type { z } from 'zod';
import { ValidationError } from './errors';

/** Parses a request part (body, query, gRPC request); a failure is a 400 listing every offending path. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(`invalid ${what}`, r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}
