import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { histogram, loggerOptions } from '@omni/telemetry';
import { OpsController } from './health.controller';

export interface PlatformOptions {
  /**
   * Access log of the HTTP requests. `all` (default): one info line per request, with its headers
   * (secrets redacted). `failures`: 4xx at warn, 5xx at error, requests slower than
   * ACCESS_LOG_SLOW_MS (default 1000) at info, every other request at debug (LOG_LEVEL=debug shows
   * them all), and neither headers nor the query string (Meta's hub.verify_token) in the line — for the webhook receivers, where a 2xx line per
   * provider event costs more CPU than the rest of the framework and says what the
   * omni_http_requests_seconds histogram and the request's trace already say (ADR 0009).
   */
  accessLog?: 'all' | 'failures';
}

const QUIET = /^\/(health|metrics)/;
const STARTED = Symbol('omni.requestStarted');
type Timed = IncomingMessage & { [STARTED]?: number; id?: unknown; originalUrl?: string };

/** Every request's duration by method and status (what the access log says in aggregate). */
const requests = () =>
  histogram('omni_http_requests_seconds', 'HTTP requests by method and status (health and metrics excluded)', ['method', 'status'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);

function accessLogOptions(mode: 'all' | 'failures'): PinoHttpOptions {
  const metric = requests();
  const slowMs = Number(process.env.ACCESS_LOG_SLOW_MS ?? 1000);
  let nextId = 0;
  return {
    autoLogging: { ignore: (req) => QUIET.test(req.url ?? '') },
    // pino-http asks for the id when the request arrives: the moment the duration starts.
    genReqId: (req: Timed) => {
      req[STARTED] = performance.now();
      return req.id ?? (nextId = (nextId + 1) % Number.MAX_SAFE_INTEGER);
    },
    // Decided once the response is finished (only for requests the access log does not ignore).
    customLogLevel: (req: Timed, res: ServerResponse, err?: Error) => {
      const ms = performance.now() - (req[STARTED] ?? performance.now());
      metric.observe({ method: req.method ?? '', status: String(res.statusCode) }, ms / 1000);
      if (mode === 'all') return 'info';
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return ms >= slowMs ? 'info' : 'debug';
    },
    ...(mode === 'failures'
      ? { wrapSerializers: false, serializers: { req: (req: Timed) => ({ id: req.id, method: req.method, path: (req.originalUrl ?? req.url ?? '').split('?')[0] }), res: (res: ServerResponse) => ({ statusCode: res.statusCode }) } }
      : {}),
  };
}

/** What every app has: JSON logs with trace ids, /health/live, /health/ready, /metrics. */
@Module({})
export class PlatformModule {
  static forRoot(app: string, options: PlatformOptions = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({ pinoHttp: { ...loggerOptions(app), ...accessLogOptions(options.accessLog ?? 'all') } }),
      ],
      controllers: [OpsController],
    };
  }
}
