import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { loggerOptions } from '@omni/telemetry';
import { FailuresAccessLog, QUIET_PATHS, httpRequestsHistogram } from './access-log';
import { OpsController } from './health.controller';

export interface PlatformOptions {
  /**
   * Access log of the HTTP requests. `all` (default): one info line per request through pino-http,
   * with its headers (secrets redacted). `failures` (Fastify apps, the webhook receivers): 4xx at
   * warn, 5xx at error, slow requests at info, the rest at debug — see FailuresAccessLog and ADR 0009.
   * Both time every request into omni_http_requests_seconds.
   */
  accessLog?: 'all' | 'failures';
}

const STARTED = Symbol('omni.requestStarted');
type Timed = IncomingMessage & { [STARTED]?: number; id?: unknown };

/**
 * The request as the access log writes it: the path without its query string (a signed media link's
 * `exp` and `sig`, a token in a query, are credentials until they expire) and without the parsed query.
 */
export function accessLogRequest(req: Record<string, unknown>): Record<string, unknown> {
  const { query: _query, ...rest } = req;
  return { ...rest, url: (typeof req.url === 'string' ? req.url : '').split('?')[0] };
}

/** pino-http: an info line per request, and its duration into the request histogram. */
function pinoHttpAccessLog() {
  const requests = httpRequestsHistogram();
  let nextId = 0;
  return {
    serializers: { req: accessLogRequest },
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? '') },
    // pino-http asks for the id when the request arrives: the moment the duration starts.
    genReqId: (req: Timed) => {
      req[STARTED] = performance.now();
      return req.id ?? (nextId = (nextId + 1) % Number.MAX_SAFE_INTEGER);
    },
    // Called once the response is finished, for the requests the access log does not ignore.
    customLogLevel: (req: Timed, res: ServerResponse) => {
      requests.observe({ method: req.method ?? '', status: String(res.statusCode) }, (performance.now() - (req[STARTED] ?? performance.now())) / 1000);
      return 'info' as const;
    },
  };
}

/** What every app has: JSON logs with trace ids, an access log, /health/live, /health/ready (/metrics: admin-server.ts, on the admin port). */
@Module({})
export class PlatformModule {
  static forRoot(app: string, options: PlatformOptions = {}): DynamicModule {
    const failuresOnly = options.accessLog === 'failures';
    return {
      module: PlatformModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        // Nest's own logs go through pino either way; with `failures` no pino-http middleware runs (no routes).
        LoggerModule.forRoot(failuresOnly ? { pinoHttp: loggerOptions(app), forRoutes: [] } : { pinoHttp: { ...loggerOptions(app), ...pinoHttpAccessLog() } }),
      ],
      controllers: [OpsController],
      providers: failuresOnly ? [FailuresAccessLog] : [],
    };
  }
}
