import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { ValidationError } from '@omni/contracts';

const MAX_DEPTH = 64;

/** The path (`text`, `entries.2.name`) of the first string or key holding a NUL character, or undefined. */
export function nulPath(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(value)' : undefined;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return at;
    const found = nulPath(v, at, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Refuses a NUL character anywhere in a route's path parameters, query or JSON body (400 naming
 * where). It has no meaning in any of the gateway's fields, and the local store cannot hold it
 * (PostgreSQL's jsonb refuses \u0000), so without this it reached the database and came back as a
 * 500 — found by the abuse suite. Webhook bodies are read raw by their controllers, not through pipes.
 */
export class NoNulBytesPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query' && metadata.type !== 'param') return value;
    const at = nulPath(value);
    if (at !== undefined) {
      const field = [metadata.type, metadata.data, at === '(value)' ? '' : at].filter(Boolean).join('.');
      throw new ValidationError(`${field} contains a NUL character`, [{ path: field, message: 'NUL characters are not accepted' }]);
    }
    return value;
  }
}
