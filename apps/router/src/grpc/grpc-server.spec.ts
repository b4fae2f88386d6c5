import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ConfigError } from '@omni/platform';
import { rootLogger } from '@omni/telemetry';
import { ROUTER_CONFIG } from '../config';
import { grpcServerCredentials, protoPath, serveGrpc } from './grpc-server';
import { freePort } from '../../../../test/support/apps';

/** A self-signed certificate for localhost/127.0.0.1 (it is its own CA), made by openssl. */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

/** The real service name and proto, one method answered without a database. */
@Controller()
class StubConversations {
  @GrpcMethod('ConversationService', 'GetConversation')
  get(req: { conversationId: string }) {
    return { id: req.conversationId, tenantId: 't1', channel: 'web', state: 'bot', version: 1 };
  }
}

type GetConversation = (req: { conversationId: string }, opts: { deadline: number }, cb: (err: grpc.ServiceError | null, res?: { id: string }) => void) => void;
type Client = grpc.Client & { GetConversation: GetConversation };
const definition = protoLoader.loadSync(protoPath(), { keepCase: false, longs: Number, defaults: true });
const Service = (grpc.loadPackageDefinition(definition) as unknown as { omni: { router: { v1: { ConversationService: new (a: string, c: grpc.ChannelCredentials) => Client } } } }).omni.router.v1.ConversationService;

function get(port: number, creds: grpc.ChannelCredentials): Promise<{ id: string }> {
  const client = new Service(`localhost:${port}`, creds);
  return new Promise<{ id: string }>((res, rej) => client.GetConversation({ conversationId: 'conv-1' }, { deadline: Date.now() + 3_000 }, (err, r) => (err ? rej(err) : res(r!)))).finally(() => client.close());
}

async function startRouterGrpc(config: Record<string, unknown>): Promise<{ app: INestApplication; port: number }> {
  const port = await freePort();
  @Module({ controllers: [StubConversations], providers: [{ provide: ROUTER_CONFIG, useValue: { ROUTER_GRPC_PORT: port, ...config } }] })
  class GrpcOnly {}
  const app = await NestFactory.create(GrpcOnly, { logger: false, abortOnError: false });
  await serveGrpc(app);
  await app.init();
  return { app, port };
}

describe('the router gRPC server with TLS from env (issue 15 #13)', () => {
  let dir: string;
  let server: { cert: string; key: string };
  let clientCert: { cert: string; key: string };
  let stranger: { cert: string; key: string };
  const prevHost = process.env.HOST;

  beforeAll(() => {
    process.env.HOST = '127.0.0.1';
    dir = mkdtempSync(join(tmpdir(), 'grpc-tls-'));
    server = selfSigned(dir, 'localhost');
    clientCert = selfSigned(dir, 'agent-desk');
    stranger = selfSigned(dir, 'stranger');
  });
  afterAll(() => {
    if (prevHost === undefined) delete process.env.HOST;
    else process.env.HOST = prevHost;
    rmSync(dir, { recursive: true, force: true });
  });

  it('with a certificate and key: a TLS client succeeds, a plaintext client fails', async () => {
    const { app, port } = await startRouterGrpc({ ROUTER_GRPC_TLS_CERT_FILE: server.cert, ROUTER_GRPC_TLS_KEY_FILE: server.key });
    try {
      await expect(get(port, grpc.credentials.createSsl(readFileSync(server.cert)))).resolves.toMatchObject({ id: 'conv-1' });
      await expect(get(port, grpc.credentials.createInsecure())).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      await app.close();
    }
  });

  it('with a CA file too: only clients with a certificate that CA signed get in', async () => {
    const { app, port } = await startRouterGrpc({
      ROUTER_GRPC_TLS_CERT_FILE: server.cert, ROUTER_GRPC_TLS_KEY_FILE: server.key, ROUTER_GRPC_TLS_CA_FILE: clientCert.cert,
    });
    const ca = readFileSync(server.cert);
    try {
      await expect(get(port, grpc.credentials.createSsl(ca, readFileSync(clientCert.key), readFileSync(clientCert.cert)))).resolves.toMatchObject({ id: 'conv-1' });
      await expect(get(port, grpc.credentials.createSsl(ca))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      await expect(get(port, grpc.credentials.createSsl(ca, readFileSync(stranger.key), readFileSync(stranger.cert)))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      await expect(get(port, grpc.credentials.createInsecure())).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      await app.close();
    }
  });

  it('unset: plaintext (the demo and test profiles)', async () => {
    const { app, port } = await startRouterGrpc({});
    try {
      await expect(get(port, grpc.credentials.createInsecure())).resolves.toMatchObject({ id: 'conv-1' });
    } finally {
      await app.close();
    }
  });

  it('plaintext is warned about at boot outside the demo and test profiles', () => {
    const warn = jest.spyOn(rootLogger(), 'warn').mockImplementation(() => undefined);
    try {
      for (const profile of ['demo', 'test']) grpcServerCredentials({}, profile);
      expect(warn).not.toHaveBeenCalled();
      grpcServerCredentials({}, 'production');
      expect(warn).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/gRPC API is plaintext: set ROUTER_GRPC_TLS_CERT_FILE/));
      warn.mockClear();
      grpcServerCredentials({ ROUTER_GRPC_TLS_CERT_FILE: server.cert, ROUTER_GRPC_TLS_KEY_FILE: server.key }, 'production');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses half or wrong settings at boot, naming the variable and never the key', () => {
    const names = (cfg: Record<string, string | undefined>) => {
      try {
        grpcServerCredentials(cfg, 'production');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(names({ ROUTER_GRPC_TLS_CERT_FILE: server.cert })).toMatch(/ROUTER_GRPC_TLS_CERT_FILE is set without ROUTER_GRPC_TLS_KEY_FILE/);
    expect(names({ ROUTER_GRPC_TLS_KEY_FILE: server.key })).toMatch(/ROUTER_GRPC_TLS_KEY_FILE is set without ROUTER_GRPC_TLS_CERT_FILE/);
    expect(names({ ROUTER_GRPC_TLS_CA_FILE: server.cert })).toMatch(/ROUTER_GRPC_TLS_CA_FILE is set without/);
    expect(names({ ROUTER_GRPC_TLS_CERT_FILE: join(dir, 'missing.crt'), ROUTER_GRPC_TLS_KEY_FILE: server.key })).toMatch(/ROUTER_GRPC_TLS_CERT_FILE: cannot read .*missing\.crt \(ENOENT\)/);
    const mismatch = names({ ROUTER_GRPC_TLS_CERT_FILE: server.cert, ROUTER_GRPC_TLS_KEY_FILE: clientCert.key });
    expect(mismatch).toMatch(/ROUTER_GRPC_TLS_KEY_FILE does not match/);
    expect(mismatch).not.toContain(readFileSync(clientCert.key, 'utf8').split('\n')[1]);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(names({ ROUTER_GRPC_TLS_CERT_FILE: notPem, ROUTER_GRPC_TLS_KEY_FILE: server.key })).toMatch(/ROUTER_GRPC_TLS_CERT_FILE .* is not a PEM certificate/);
    expect(names({ ROUTER_GRPC_TLS_CERT_FILE: server.cert, ROUTER_GRPC_TLS_KEY_FILE: notPem })).toMatch(/ROUTER_GRPC_TLS_KEY_FILE .* is not a PEM private key/);
  });
});
