import pino, { Logger, LoggerOptions } from 'pino';
import { activeTraceIds } from './tracing';

/** Keys whose values never reach a log line (secrets and personal data). */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-hub-signature-256"]',
  'req.headers["x-telegram-bot-api-secret-token"]', '*.password', '*.token', '*.accessToken', '*.apiKey',
  '*.secret', '*.text', '*.email', '*.phone',
];

export function loggerOptions(service: string): LoggerOptions {
  return {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service, region: process.env.REGION ?? 'local', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Every line carries the active trace and span ids, so a log line leads to its trace.
    mixin: () => activeTraceIds(),
    formatters: { level: (label) => ({ level: label }) },
  };
}

let root: Logger | undefined;

export function rootLogger(service = process.env.OTEL_SERVICE_NAME ?? 'omni'): Logger {
  root ??= pino(loggerOptions(service));
  return root;
}
