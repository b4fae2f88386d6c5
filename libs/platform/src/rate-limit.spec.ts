import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HttpErrorFilter } from './error.filter';
import { ApiRateLimitModule, NOT_RATE_LIMITED, keyTracker } from './rate-limit';
import { SkipThrottle } from '@nestjs/throttler';

@Controller('v1')
class ApiController {
  @Get('a')
  a(): { ok: true } {
    return { ok: true };
  }

  @Get('b')
  b(): { ok: true } {
    return { ok: true };
  }
}

@SkipThrottle(NOT_RATE_LIMITED)
@Controller('health')
class HealthController {
  @Get('live')
  live(): { ok: true } {
    return { ok: true };
  }
}

async function newTestApp(limits = { perKey: 2, perIp: 3, windowSeconds: 60 }): Promise<{ app: INestApplication; url: string }> {
  @Module({ imports: [ApiRateLimitModule.forRoot(limits)], controllers: [ApiController, HealthController] })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: false });
  app.useGlobalFilters(new HttpErrorFilter(app.getHttpAdapter()));
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

const get = (url: string, key?: string) => fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});

describe('API rate limits (issue 15 #7)', () => {
  let t: { app: INestApplication; url: string };
  beforeEach(async () => { t = await newTestApp(); });
  afterEach(async () => { await t.app.close(); });

  it('counts a key across every route and answers 429 with Retry-After and the reason past its limit', async () => {
    expect((await get(`${t.url}/v1/a`, 'key-one')).status).toBe(200);
    expect((await get(`${t.url}/v1/b`, 'key-one')).status).toBe(200);
    const refused = await get(`${t.url}/v1/a`, 'key-one');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'rate_limited', reason: expect.stringContaining('this API key') });
  });

  it('counts each address too, whatever keys it uses, and never limits health', async () => {
    expect((await get(`${t.url}/v1/a`, 'k1')).status).toBe(200);
    expect((await get(`${t.url}/v1/a`, 'k2')).status).toBe(200);
    expect((await get(`${t.url}/v1/a`)).status).toBe(200);
    const refused = await get(`${t.url}/v1/a`, 'k3');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ reason: expect.stringContaining('this address') });
    for (let i = 0; i < 5; i++) expect((await get(`${t.url}/health/live`)).status).toBe(200);
  });

  it('tracks a credential by its hash, never the credential itself', () => {
    const tracker = keyTracker({ headers: { authorization: 'Bearer omk_secret_value' } });
    expect(tracker).toMatch(/^[0-9a-f]{32}$/);
    expect(tracker).not.toContain('secret');
    expect(keyTracker({ headers: {} })).toBe('');
  });
});
