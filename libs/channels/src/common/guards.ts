import { ValidationError } from '@omni/contracts';

/**
 * Tiny readers for provider payloads typed `unknown`: a malformed field becomes a ValidationError
 * naming its path (→ 400 with a reason), never a TypeError deep inside a decoder.
 */
export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(path: string, expected: string): ValidationError {
  return new ValidationError(`${path}: expected ${expected}`, [{ path, message: `expected ${expected}` }]);
}

export function obj(v: unknown, path: string): JsonObject {
  if (!isObject(v)) throw invalid(path, 'an object');
  return v;
}

export function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw invalid(path, 'an array');
  return v;
}

/** An optional array: absent means empty. */
export function optArr(v: unknown, path: string): unknown[] {
  return v === undefined || v === null ? [] : arr(v, path);
}

export function str(v: unknown, path: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string' || v.length === 0) throw invalid(path, 'a non-empty string');
  return v;
}

export function optStr(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function num(v: unknown, path: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(path, 'a number');
  return n;
}

export function optNum(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Unix seconds (Meta's strings, Telegram's numbers) → ISO-8601. */
export function fromUnixSeconds(v: unknown, path: string): string {
  return isoOrThrow(num(v, path) * 1000, path);
}

/** Unix milliseconds (Messenger) → ISO-8601. */
export function fromUnixMillis(v: unknown, path: string): string {
  return isoOrThrow(num(v, path), path);
}

function isoOrThrow(ms: number, path: string): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw invalid(path, 'a valid timestamp');
  return d.toISOString();
}
