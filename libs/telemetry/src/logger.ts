import pino, { Logger, LoggerOptions } from 'pino';
import { activeTraceIds } from './tracing';

/** Keys whose values never reach a log line (secrets and personal data). */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-hub-signature-256"]',
  'req.headers["x-telegram-bot-api-secret-token"]', '*.password', '*.token', '*.accessToken', '*.apiKey',
  '*.secret', '*.text', '*.email', '*.phone',
];

/** Keys whose values are censored at any depth of a log line's object (pino's paths reach one level). */
export const REDACT_KEYS = new Set([
  'authorization', 'cookie', 'x-hub-signature-256', 'x-telegram-bot-api-secret-token', 'password', 'pass', 'token', 'accessToken',
  'pageAccessToken', 'botToken', 'appSecret', 'apiKey', 'secret', 'text', 'email', 'phone', 'qr',
]);
const CENSOR = '[redacted]';
const MAX_DEPTH = 10;

/**
 * A copy of `value` with every REDACT_KEYS entry censored, however deep in plain objects and arrays
 * (cycles and anything deeper than MAX_DEPTH are cut). Errors keep their message and stack.
 */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH || seen.has(value)) return '[cut]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1, seen));
  // Plain data and errors only: class instances (a request, a socket, a Date, a Buffer) are left to
  // the serializers, which pick what they log (headers: censored by REDACT_PATHS).
  const proto: unknown = Object.getPrototypeOf(value);
  if (!(value instanceof Error) && proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out.message = value.message;
    if (value.stack) out.stack = value.stack;
  }
  for (const [k, v] of Object.entries(value)) out[k] = REDACT_KEYS.has(k) && v !== undefined ? CENSOR : redactDeep(v, depth + 1, seen);
  return out;
}

export function loggerOptions(service: string): LoggerOptions {
  return {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service, region: process.env.REGION ?? 'local', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Every line carries the active trace and span ids, so a log line leads to its trace.
    mixin: () => activeTraceIds(),
    formatters: {
      level: (label) => ({ level: label }),
      // Secrets and personal data nested anywhere in a line's payload (a decoded event, a provider's answer).
      log: (obj) => redactDeep(obj) as Record<string, unknown>,
    },
  };
}

let root: Logger | undefined;

export function rootLogger(service = process.env.OTEL_SERVICE_NAME ?? 'omni'): Logger {
  root ??= pino(loggerOptions(service));
  return root;
}
