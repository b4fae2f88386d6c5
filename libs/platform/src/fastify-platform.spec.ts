import { Controller, Get, Header, HttpCode, Module, Post, RawBodyRequest, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { OmniError, RetryableError, ValidationError } from '@omni/contracts';
import { registry } from '@omni/telemetry';
import { accessLogLevel } from './access-log';
import { keepJsonBodiesRaw } from './bootstrap';
import { HttpErrorFilter } from './error.filter';
import { PlatformModule } from './platform.module';

/** A webhook-shaped controller: what reaches it is the bytes as sent, parsed (once) by the handler. */
@Controller('hook')
class HookController {
  @Post()
  @HttpCode(200)
  post(@Req() req: RawBodyRequest<FastifyRequest>): { isBuffer: boolean; sameObject: boolean; raw: string; parsed: unknown } {
    const raw = req.rawBody;
    if (!raw?.length) throw new ValidationError('expected a JSON body');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new ValidationError(`body is not JSON: ${(err as Error).message}`);
    }
    return { isBuffer: Buffer.isBuffer(req.body), sameObject: req.body === raw, raw: raw.toString('utf8'), parsed };
  }

  @Get('refused')
  @Header('content-type', 'text/plain')
  refused(): string {
    throw new OmniError('forbidden', 'wrong verify token', false);
  }

  @Get('busy')
  busy(): string {
    throw new RetryableError('publish_failed', 'events not stored');
  }
}

@Module({ imports: [PlatformModule.forRoot('platform-spec', { accessLog: 'failures' })], controllers: [HookController] })
class HookModule {}

describe('a webhook receiver on the Fastify platform', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(HookModule, new FastifyAdapter(), { rawBody: true, logger: false });
    keepJsonBodiesRaw(app, 1024);
    app.useGlobalFilters(new HttpErrorFilter(app.getHttpAdapter()));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/hook', payload, headers: { 'content-type': contentType } });

  it('hands the handler the exact bytes sent, unparsed (a signature covers exactly these)', async () => {
    // Spacing and key order a re-serialized body would lose.
    const sent = '{ "b":1,  "a" : [1,2] }';
    const res = await post(sent);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ isBuffer: true, sameObject: true, raw: sent, parsed: { b: 1, a: [1, 2] } });
    expect((await post(sent, 'application/json; charset=utf-8')).statusCode).toBe(200);
  });

  it('leaves a malformed body to the handler, whose 400 names the problem', async () => {
    const res = await post('{"entry":[');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation_failed', reason: expect.stringContaining('body is not JSON') });
  });

  it('refuses a body over the limit with 413 before the handler', async () => {
    const res = await post(JSON.stringify({ pad: 'x'.repeat(2048) }));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: expect.any(String), reason: expect.stringMatching(/too large/i) });
  });

  it('maps typed errors to statuses with a JSON body, also on a route that declared text/plain', async () => {
    const refused = await app.inject({ method: 'GET', url: '/hook/refused' });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.json()).toMatchObject({ error: 'forbidden', reason: 'wrong verify token' });
    const busy = await app.inject({ method: 'GET', url: '/hook/busy' });
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe('5');
  });

  it('times every request by method and status into omni_http_requests_seconds', async () => {
    const count = async (status: string) => {
      const metric = await registry.getSingleMetric('omni_http_requests_seconds')?.get();
      return metric?.values.find((v) => (v as { metricName?: string }).metricName === 'omni_http_requests_seconds_count' && v.labels.status === status && v.labels.method === 'POST')?.value ?? 0;
    };
    const before = await count('200');
    await post('{"a":1}');
    await post('{"a":2}');
    expect((await count('200')) - before).toBe(2);
    expect(await count('400')).toBeGreaterThanOrEqual(1);
  });
});

describe('accessLogLevel', () => {
  it('writes failures and slow requests, and keeps fast successes at debug', () => {
    expect(accessLogLevel(200, 3, 1000)).toBe('debug');
    expect(accessLogLevel(204, 1500, 1000)).toBe('info');
    expect(accessLogLevel(401, 2, 1000)).toBe('warn');
    expect(accessLogLevel(503, 2, 1000)).toBe('error');
    expect(accessLogLevel(200, 2, 1000, true)).toBe('error');
  });
});
