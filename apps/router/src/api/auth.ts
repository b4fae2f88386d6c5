import { CanActivate, ExecutionContext, Inject, Injectable, OnApplicationBootstrap, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { OmniError } from '@omni/contracts';
import { ApiKeyCaller, ApiKeys } from '@omni/persistence';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

/** Who called: the API key's tenant (every query below is scoped to it), role and name. */
export type Caller = ApiKeyCaller;

type AuthedRequest = Request & { caller?: Caller };

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
    private readonly keys: ApiKeys,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.keys.bootstrap(this.config.API_KEY, this.config.TENANT_ID);
  }
}
