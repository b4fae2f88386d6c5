import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { enableDefaultMetrics, rootLogger, shutdownTelemetry } from '@omni/telemetry';
import { HttpErrorFilter } from './error.filter';
import { portFor } from './config';

export interface BootstrapOptions {
  app: string;
  module: Type<unknown>;
  defaultPort: number;
  /** Extra wiring before listen (WebSocket adapter, static files, gRPC, OpenAPI). */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * The shared main: JSON logger, typed-error filter, raw bodies (webhook signatures are computed on
 * the exact bytes), shutdown hooks (SIGTERM drains consumers before the producer disconnects).
 */
export async function bootstrap(options: BootstrapOptions): Promise<INestApplication> {
  enableDefaultMetrics(options.app);
  try {
    const app = await NestFactory.create(options.module, { bufferLogs: true, rawBody: true });
    app.useLogger(app.get(Logger));
    app.useGlobalFilters(new HttpErrorFilter());
    app.enableShutdownHooks();
    await options.configure?.(app);
    const port = portFor(options.app, options.defaultPort);
    await app.listen(port, process.env.HOST ?? '0.0.0.0');
    const address = (app.getHttpServer() as import('node:http').Server).address() as { port: number };
    rootLogger().info({ app: options.app, port: address.port }, `${options.app} listening on :${address.port}`);
    process.once('beforeExit', () => void shutdownTelemetry());
    return app;
  } catch (err) {
    rootLogger().fatal({ err: { message: (err as Error).message, stack: (err as Error).stack } }, `${options.app} failed to start`);
    await shutdownTelemetry();
    process.exit(1);
  }
}
