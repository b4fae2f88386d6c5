import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { adminHostFor, adminPortFor, serveAdmin } from './admin-server';
import { ConfigError } from './config';
import { PlatformModule } from './platform.module';

@Module({ imports: [PlatformModule.forRoot('admin-spec')] })
class OpsOnlyModule {}

describe('the admin port (issue 15 #13)', () => {
  let app: INestApplication;
  let admin: Server;
  let publicUrl: string;
  let adminUrl: string;

  beforeAll(async () => {
    app = await NestFactory.create(OpsOnlyModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    publicUrl = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    admin = await serveAdmin(app, 0, '127.0.0.1');
    adminUrl = `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  it('the public port answers 404 for /metrics', async () => {
    expect((await fetch(`${publicUrl}/metrics`)).status).toBe(404);
  });

  it('serves /metrics on the admin port in the Prometheus text format', async () => {
    const res = await fetch(`${adminUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(/^# HELP /m);
  });

  it('keeps the probes on the public port and has them on the admin port too; nothing else there', async () => {
    for (const base of [publicUrl, adminUrl]) {
      expect(await (await fetch(`${base}/health/live`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok' });
    }
    expect((await fetch(`${adminUrl}/v1/anything`)).status).toBe(404);
    expect((await fetch(`${adminUrl}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('closes with the app', async () => {
    const other = await NestFactory.create(OpsOnlyModule, { logger: false, abortOnError: false });
    await other.listen(0, '127.0.0.1');
    const server = await serveAdmin(other, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health/live`;
    expect((await fetch(url)).status).toBe(200);
    await other.close();
    await new Promise((r) => setImmediate(r));
    expect(server.listening).toBe(false);
  });
});

describe('the admin port and host from env', () => {
  it('<APP>_ADMIN_PORT, then ADMIN_PORT, then the public default + 6000', () => {
    expect(adminPortFor('channel-web', 3000, {})).toBe(9000);
    expect(adminPortFor('router', 3010, { ADMIN_PORT: '9999' })).toBe(9999);
    expect(adminPortFor('router', 3010, { ADMIN_PORT: '9999', ROUTER_ADMIN_PORT: '7001' })).toBe(7001);
    expect(adminPortFor('router', 3010, { ROUTER_ADMIN_PORT: ' ' })).toBe(9010);
  });

  it('a bad port names the variable', () => {
    expect(() => adminPortFor('ai-worker', 3020, { AI_WORKER_ADMIN_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => adminPortFor('ai-worker', 3020, { AI_WORKER_ADMIN_PORT: 'abc' })).toThrow(/AI_WORKER_ADMIN_PORT/);
  });

  it('binds to loopback unless ADMIN_HOST says otherwise', () => {
    expect(adminHostFor({})).toBe('127.0.0.1');
    expect(adminHostFor({ ADMIN_HOST: '0.0.0.0' })).toBe('0.0.0.0');
  });
});
