import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { GrpcOptions, Transport } from '@nestjs/microservices';
import { ServerCredentials } from '@grpc/grpc-js';
import { ConfigError } from '@omni/platform';
import { rootLogger } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

type GrpcTlsConfig = Pick<RouterConfig, 'ROUTER_GRPC_TLS_CERT_FILE' | 'ROUTER_GRPC_TLS_KEY_FILE' | 'ROUTER_GRPC_TLS_CA_FILE'>;

/** A PEM file named by a variable; errors name the variable and the path, never the content. */
function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`router: ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * The gRPC server's credentials from env: TLS with ROUTER_GRPC_TLS_CERT_FILE + ROUTER_GRPC_TLS_KEY_FILE,
 * client certificates required when ROUTER_GRPC_TLS_CA_FILE is set too; plaintext only when none is set,
 * with a warning outside the demo and test profiles. Files are checked at boot (parse, key matches the
 * certificate), so a wrong file stops the router with the variable's name instead of failing handshakes.
 */
export function grpcServerCredentials(config: GrpcTlsConfig, profile = process.env.OMNI_PROFILE ?? 'production'): ServerCredentials {
  const { ROUTER_GRPC_TLS_CERT_FILE: certFile, ROUTER_GRPC_TLS_KEY_FILE: keyFile, ROUTER_GRPC_TLS_CA_FILE: caFile } = config;
  if (!certFile && !keyFile) {
    if (caFile) throw new ConfigError('router: ROUTER_GRPC_TLS_CA_FILE is set without ROUTER_GRPC_TLS_CERT_FILE and ROUTER_GRPC_TLS_KEY_FILE');
    if (profile !== 'demo' && profile !== 'test') {
      rootLogger().warn({ app: 'router', profile }, 'gRPC API is plaintext: set ROUTER_GRPC_TLS_CERT_FILE and ROUTER_GRPC_TLS_KEY_FILE (and ROUTER_GRPC_TLS_CA_FILE for client certificates)');
    }
    return ServerCredentials.createInsecure();
  }
  if (!certFile) throw new ConfigError('router: ROUTER_GRPC_TLS_KEY_FILE is set without ROUTER_GRPC_TLS_CERT_FILE');
  if (!keyFile) throw new ConfigError('router: ROUTER_GRPC_TLS_CERT_FILE is set without ROUTER_GRPC_TLS_KEY_FILE');
  const cert = readPem('ROUTER_GRPC_TLS_CERT_FILE', certFile);
  const key = readPem('ROUTER_GRPC_TLS_KEY_FILE', keyFile);
  const ca = caFile ? readPem('ROUTER_GRPC_TLS_CA_FILE', caFile) : null;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new ConfigError(`router: ROUTER_GRPC_TLS_CERT_FILE (${certFile}) is not a PEM certificate: ${(err as Error).message}`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError(`router: ROUTER_GRPC_TLS_KEY_FILE (${keyFile}) is not a PEM private key (an encrypted key is not supported)`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new ConfigError('router: ROUTER_GRPC_TLS_KEY_FILE does not match the certificate of ROUTER_GRPC_TLS_CERT_FILE');
  if (ca && caFile) {
    try {
      new X509Certificate(ca);
    } catch (err) {
      throw new ConfigError(`router: ROUTER_GRPC_TLS_CA_FILE (${caFile}) is not a PEM certificate: ${(err as Error).message}`);
    }
  }
  return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], !!ca);
}

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

/** gRPC next to HTTP on ROUTER_GRPC_PORT (default 50051), started with the app; TLS from env (grpcServerCredentials). */
export async function serveGrpc(app: INestApplication): Promise<void> {
  const config = app.get<RouterConfig>(ROUTER_CONFIG);
  const port = config.ROUTER_GRPC_PORT;
  const credentials = grpcServerCredentials(config);
  app.connectMicroservice<GrpcOptions>({
    transport: Transport.GRPC,
    options: {
      package: 'omni.router.v1', protoPath: protoPath(), url: `${process.env.HOST ?? '0.0.0.0'}:${port}`, credentials,
      loader: { keepCase: false, longs: Number, defaults: true },
    },
  }, { inheritAppConfig: true });
  await app.startAllMicroservices();
}
