import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Level } from 'pino';
import { histogram, rootLogger } from '@omni/telemetry';

/** Not in the access log nor in the request metric: probes and scrapes. */
export const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/** Every request's duration by method and status (what the access log says in aggregate). */
export const httpRequestsHistogram = () =>
  histogram('omni_http_requests_seconds', 'HTTP requests by method and status (health and metrics excluded)', ['method', 'status'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);

/** Which line a finished request gets: failures always, a success only when slow (else debug). */
export function accessLogLevel(status: number, ms: number, slowMs: number, failed = false): Level {
  if (failed || status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return ms >= slowMs ? 'info' : 'debug';
}

/**
 * The access log of the webhook receivers (`PlatformModule.forRoot(app, { accessLog: 'failures' })`,
 * Fastify only): one `onResponse` hook that times the request into omni_http_requests_seconds and
 * writes a line for 4xx (warn), 5xx (error) and requests slower than ACCESS_LOG_SLOW_MS (info,
 * default 1000 ms); every other request is a debug line (LOG_LEVEL=debug shows them all). It
 * replaces pino-http there, whose per-request child logger (request serializer, redaction, JSON of
 * the bindings) behind Fastify's Express-middleware bridge cost more CPU than the rest of the
 * framework on a webhook (ADR 0009). Lines carry the request's trace id like every other line.
 */
@Injectable()
export class FailuresAccessLog implements OnModuleInit {
  private readonly log = rootLogger().child({ component: 'http' });
  private readonly requests = httpRequestsHistogram();
  private readonly slowMs = Number(process.env.ACCESS_LOG_SLOW_MS ?? 1000);

  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const instance = this.host.httpAdapter.getInstance<Partial<FastifyInstance>>();
    if (typeof instance.addHook !== 'function') {
      throw new Error("accessLog 'failures' needs the Fastify platform (bootstrap({ http: 'fastify' }))");
    }
    instance.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      this.record(req, reply);
      done();
    });
  }

  private record(req: FastifyRequest, reply: FastifyReply): void {
    if (QUIET_PATHS.test(req.url)) return;
    const ms = reply.elapsedTime;
    const status = reply.statusCode;
    this.requests.observe({ method: req.method, status: String(status) }, ms / 1000);
    const level = accessLogLevel(status, ms, this.slowMs, req.raw.aborted);
    if (!this.log.isLevelEnabled(level)) return;
    // The path only: a query may carry a verify token (Meta's handshake).
    const path = req.url.split('?')[0];
    this.log[level]({ req: { id: req.id, method: req.method, path }, res: { statusCode: status }, responseTime: Math.round(ms) }, 'request completed');
  }
}
