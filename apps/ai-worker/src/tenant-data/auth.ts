import { createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, OnApplicationBootstrap, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { OmniError } from '@omni/contracts';
import { API_KEY_REPOSITORY, ApiKeyRepository } from '@omni/persistence';
import { AI_WORKER_CONFIG, AiWorkerConfig } from '../config';

/**
 * The router's API keys (collection `api_keys`, SHA-256 of the key): one key works on both APIs.
 * Tenant data changes a bot's behaviour, so only admin keys pass. No cache: uploads are rare.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface Caller {
  readonly tenantId: string;
  readonly keyName: string;
}

type AuthedRequest = Request & { caller?: Caller };

@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(@Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m?.[1]) throw new OmniError('unauthorized', 'missing Authorization: Bearer <key>', false);
    const key = await this.keys.find(hashKey(m[1]));
    if (!key) throw new OmniError('unauthorized', 'unknown API key', false);
    if (key.role !== 'admin') throw new OmniError('forbidden', 'tenant NLU data needs an admin key', false);
    req.caller = { tenantId: key.tenantId, keyName: key.name };
    return true;
  }
}

export const CallerOf = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthedRequest>().caller;
  if (!caller) throw new OmniError('unauthorized', 'not authenticated', false);
  return caller;
});

/** Stores API_KEY (hashed) as an admin key of the default tenant, as the router does (idempotent). */
@Injectable()
export class ApiKeyBootstrap implements OnApplicationBootstrap {
  constructor(
    @Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @Inject(AI_WORKER_CONFIG) private readonly config: AiWorkerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.API_KEY) return;
    await this.keys.save({ _id: hashKey(this.config.API_KEY), tenantId: this.config.TENANT_ID, name: 'bootstrap (API_KEY)', role: 'admin' });
  }
}
