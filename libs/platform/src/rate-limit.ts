import { createHash } from 'node:crypto';
import { DynamicModule, ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule } from '@nestjs/throttler';
import { z } from 'zod';
import { OmniError } from '@omni/contracts';

/** For `@SkipThrottle(NOT_RATE_LIMITED)`: both named limits (a bare `@SkipThrottle()` skips only one named "default"). */
export const NOT_RATE_LIMITED = { key: true, ip: true };

/** Env of the API rate limits (router and AI worker): requests per window, per API key and per client address. */
export const RateLimitEnv = {
  API_RATE_LIMIT_PER_KEY: z.coerce.number().int().positive().default(1200),
  API_RATE_LIMIT_PER_IP: z.coerce.number().int().positive().default(2400),
  API_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
};

export interface RateLimits {
  perKey: number;
  perIp: number;
  windowSeconds: number;
}

export function rateLimitsOf(c: { API_RATE_LIMIT_PER_KEY: number; API_RATE_LIMIT_PER_IP: number; API_RATE_LIMIT_WINDOW_SECONDS: number }): RateLimits {
  return { perKey: c.API_RATE_LIMIT_PER_KEY, perIp: c.API_RATE_LIMIT_PER_IP, windowSeconds: c.API_RATE_LIMIT_WINDOW_SECONDS };
}

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
}

function bearerOf(req: HttpRequest): string | undefined {
  const h = req.headers.authorization;
  const value = Array.isArray(h) ? h[0] : h;
  const m = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return m?.[1];
}

/** The credential's hash, never the credential: a wrong key is counted too (guessing is limited). */
export function keyTracker(req: HttpRequest): string {
  const key = bearerOf(req);
  return key ? createHash('sha256').update(key).digest('hex').slice(0, 32) : '';
}

export function ipTracker(req: HttpRequest): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

export class RateLimitedError extends OmniError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', message, false);
  }
}

/**
 * @nestjs/throttler's guard with one counter per credential and one per client address across every
 * route (its default counts per route), a plain `Retry-After` in seconds, and the gateway's error
 * body. HTTP only: gRPC calls pass (their limits are not built yet). Counters live in each replica's
 * memory: N replicas allow up to N times the limit in all (a shared store is not built yet).
 */
@Injectable()
export class ApiRateLimitGuard extends ThrottlerGuard {
  override canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return Promise.resolve(true);
    return super.canActivate(context);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const res = context.switchToHttp().getResponse<{ setHeader?: (n: string, v: string) => void; header?: (n: string, v: string) => void }>();
    const seconds = String(Math.max(1, Math.ceil(detail.timeToBlockExpire)));
    if (typeof res.header === 'function') res.header('Retry-After', seconds);
    else res.setHeader?.('Retry-After', seconds);
    const what = detail.tracker && detail.key.startsWith('key:') ? 'this API key' : 'this address';
    throw new RateLimitedError(`more than ${detail.limit} requests in ${Math.round(detail.ttl / 1000)} s from ${what}; retry after ${seconds} s`, Number(seconds));
  }
}

/** Registers the limits as a global guard of the app's HTTP routes (health and metrics are exempt). */
@Module({})
export class ApiRateLimitModule {
  static forRoot(limits: RateLimits): DynamicModule {
    const ttl = limits.windowSeconds * 1000;
    return {
      module: ApiRateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'key', ttl, limit: limits.perKey, getTracker: (req) => keyTracker(req as HttpRequest), skipIf: (ctx) => !keyTracker(ctx.switchToHttp().getRequest<HttpRequest>()) },
            { name: 'ip', ttl, limit: limits.perIp, getTracker: (req) => ipTracker(req as HttpRequest) },
          ],
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ApiRateLimitGuard }],
    };
  }
}
