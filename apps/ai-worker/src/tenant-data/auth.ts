import { CanActivate, ExecutionContext, Inject, Injectable, OnApplicationBootstrap, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { OmniError } from '@omni/contracts';
import { ApiKeyCaller, ApiKeys } from '@omni/persistence';
import { AI_WORKER_CONFIG, AiWorkerConfig } from '../config';

/** The router's API keys (collection `api_keys`): one key works on both APIs. */
export type Caller = ApiKeyCaller;

type AuthedRequest = Request & { caller?: Caller };

/** Tenant data changes a bot's behaviour, so only admin keys pass. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeys) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const caller = await this.keys.resolve(req.headers.authorization);
    if (caller.role !== 'admin') throw new OmniError('forbidden', 'tenant NLU data needs an admin key', false);
    req.caller = caller;
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
    private readonly keys: ApiKeys,
    @Inject(AI_WORKER_CONFIG) private readonly config: AiWorkerConfig,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.keys.bootstrap(this.config.API_KEY, this.config.TENANT_ID);
  }
}
