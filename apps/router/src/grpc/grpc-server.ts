import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { GrpcOptions, Transport } from '@nestjs/microservices';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

/**
 * The proto ships in libs/contracts/proto. The bundle (dist/apps/router/main.js) finds it next to
 * itself when the build copies it, else in the repository it was built from, else in the cwd.
 */
export function protoPath(): string {
  const main = process.argv[1] ? dirname(resolve(process.argv[1])) : process.cwd();
  const candidates = [
    process.env.ROUTER_PROTO_PATH,
    resolve(main, 'proto/omni.proto'),
    resolve(main, '../../../libs/contracts/proto/omni.proto'),
    resolve(process.cwd(), 'libs/contracts/proto/omni.proto'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`omni.proto not found (tried ${candidates.join(', ')}); set ROUTER_PROTO_PATH`);
  return found;
}

/** gRPC next to HTTP on ROUTER_GRPC_PORT (default 50051), started with the app. */
export async function serveGrpc(app: INestApplication): Promise<void> {
  const port = app.get<RouterConfig>(ROUTER_CONFIG).ROUTER_GRPC_PORT;
  app.connectMicroservice<GrpcOptions>({
    transport: Transport.GRPC,
    options: { package: 'omni.router.v1', protoPath: protoPath(), url: `${process.env.HOST ?? '0.0.0.0'}:${port}`, loader: { keepCase: false, longs: Number, defaults: true } },
  }, { inheritAppConfig: true });
  await app.startAllMicroservices();
}
