import type { Server } from 'node:http';
import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { enableDefaultMetrics, rootLogger, shutdownTelemetry } from '@omni/telemetry';
import { HttpErrorFilter } from './error.filter';
import { NoNulBytesPipe } from './no-nul-bytes.pipe';
import { portFor } from './config';
import { adminHostFor, adminPortFor, listeningPort, serveAdmin } from './admin-server';

export interface BootstrapOptions {
  app: string;
  module: Type<unknown>;
  defaultPort: number;
  /**
   * The HTTP platform: Express (default) or Fastify — the webhook receivers, whose hot path is one
   * POST per provider event (docs/adr/0009-webhook-ingest-on-fastify.md).
   */
  http?: 'express' | 'fastify';
  /** Extra wiring before listen (WebSocket adapter, static files, gRPC, OpenAPI, body parsers). */
  configure?: (app: INestApplication) => void | Promise<void>;
}

async function create(options: BootstrapOptions): Promise<INestApplication> {
  const nestOptions = { bufferLogs: true, rawBody: true };
  if (options.http !== 'fastify') return NestFactory.create(options.module, nestOptions);
  // Loaded only by the apps that run on it.
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return NestFactory.create(options.module, new FastifyAdapter(), nestOptions);
}

/**
 * The shared main: JSON logger, typed-error filter, raw bodies (webhook signatures are computed on
 * the exact bytes), shutdown hooks (SIGTERM drains consumers before the producer disconnects).
 */
export async function bootstrap(options: BootstrapOptions): Promise<INestApplication> {
  enableDefaultMetrics(options.app);
  try {
    const app = await create(options);
    app.useLogger(app.get(Logger));
    app.useGlobalFilters(new HttpErrorFilter(app.getHttpAdapter()));
    app.useGlobalPipes(new NoNulBytesPipe());
    app.enableShutdownHooks();
    await options.configure?.(app);
    const port = portFor(options.app, options.defaultPort);
    const adminPort = adminPortFor(options.app, options.defaultPort);
    await app.listen(port, process.env.HOST ?? '0.0.0.0');
    const address = (app.getHttpServer() as Server).address() as { port: number };
    // /metrics and the health checks for operators, on an internal port (docs/security.md #13).
    const admin = await serveAdmin(app, adminPort, adminHostFor());
    rootLogger().info(
      { app: options.app, port: address.port, adminPort: listeningPort(admin) },
      `${options.app} listening on :${address.port} (admin: /metrics on ${adminHostFor()}:${listeningPort(admin)})`,
    );
    process.once('beforeExit', () => void shutdownTelemetry());
    return app;
  } catch (err) {
    rootLogger().fatal({ err: { message: (err as Error).message, stack: (err as Error).stack } }, `${options.app} failed to start`);
    await shutdownTelemetry();
    process.exit(1);
  }
}

/**
 * For the webhook receivers on Fastify: a JSON body is kept as the bytes received (`req.rawBody`)
 * and not parsed by the framework. The provider's signature is checked on exactly these bytes and
 * the channel's decoder then parses them once (a malformed body is its 400 with the parser's
 * reason) — instead of a framework parse of every body, signed or not, and a second parse in the
 * decoder.
 */
export function keepJsonBodiesRaw(app: INestApplication, bodyLimitBytes: number): void {
  const fastify = app as import('@nestjs/platform-fastify').NestFastifyApplication;
  // `rawBody: true` (bootstrap) makes the adapter set req.rawBody to these bytes, without a copy.
  fastify.useBodyParser('application/json', { bodyLimit: bodyLimitBytes }, (_req, body, done) => done(null, body));
}
