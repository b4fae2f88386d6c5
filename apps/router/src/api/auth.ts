import { createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, OnApplicationBootstrap, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { OmniError } from '@omni/contracts';
import { API_KEY_REPOSITORY, ApiKeyDoc, ApiKeyRepository } from '@omni/persistence';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface Caller {
  readonly tenantId: string;
  readonly role: ApiKeyDoc['role'];
  readonly keyName: string;
}

type AuthedRequest = Request & { caller?: Caller };
const CACHE_MS = 30_000;

/** API keys by their hash, cached briefly (a revoked key stops working within CACHE_MS). */
@Injectable()
export class ApiKeys {
  private readonly cache = new Map<string, { at: number; key: ApiKeyDoc | null }>();

  constructor(@Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository) {}

  /** The caller of an `Authorization` value ("Bearer <key>"); unauthorized otherwise. */
  async resolve(authorization: string | undefined): Promise<Caller> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m?.[1]) throw new OmniError('unauthorized', 'missing Authorization: Bearer <key>', false);
    const hash = hashKey(m[1]);
    const hit = this.cache.get(hash);
    const key = hit && Date.now() - hit.at < CACHE_MS ? hit.key : await this.keys.find(hash);
    this.cache.set(hash, { at: Date.now(), key });
    if (!key) throw new OmniError('unauthorized', 'unknown API key', false);
    return { tenantId: key.tenantId, role: key.role, keyName: key.name };
  }
}

/** `Authorization: Bearer <key>` → the key's tenant; every query below is scoped to it. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeys) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    req.caller = await this.keys.resolve(req.headers.authorization);
    return true;
  }
}

export const CallerOf = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthedRequest>().caller;
  if (!caller) throw new OmniError('unauthorized', 'not authenticated', false);
  return caller;
});

/** Stores API_KEY (hashed) as an admin key of the default tenant at start. */
@Injectable()
export class ApiKeyBootstrap implements OnApplicationBootstrap {
  constructor(
    @Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.API_KEY) return;
    await this.keys.save({ _id: hashKey(this.config.API_KEY), tenantId: this.config.TENANT_ID, name: 'bootstrap (API_KEY)', role: 'admin' });
  }
}
