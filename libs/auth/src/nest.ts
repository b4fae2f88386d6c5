import {
  CanActivate, DynamicModule, ExecutionContext, Global, Injectable, Module, SetMetadata, applyDecorators, createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import { OmniError } from '@omni/contracts';
import { AUTH_OPTIONS, ApiKeys, AuthOptions } from './credentials';
import { Caller, authorize } from './caller';
import { Permission, rolesWith } from './roles';
import { Sessions } from './sessions';

const PERMISSION = 'omni:permission';

/**
 * The permission a route needs (every route behind AuthGuard declares one; none = refused). The
 * OpenAPI document shows it with the roles that hold it (`x-permission`, `x-roles`).
 */
export const Requires = (permission: Permission): MethodDecorator =>
  applyDecorators(SetMetadata(PERMISSION, permission), ApiExtension('x-permission', permission), ApiExtension('x-roles', ['operator', ...rolesWith(permission)]));

interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  caller?: Caller;
}

/**
 * `Authorization: Bearer <key>` → the caller, then the route's declared permission and, for a route
 * under /v1/tenants/:tenantId, the caller's tenant. Fails closed: a route that declares nothing is
 * refused, so a new route cannot ship unguarded by accident.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeys,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION, [ctx.getHandler(), ctx.getClass()]);
    if (!permission) throw new OmniError('forbidden', 'this route declares no permission', false);
    const header = req.headers.authorization;
    const caller = await this.keys.resolve(Array.isArray(header) ? header[0] : header);
    authorize(caller, permission, req.params?.tenantId);
    req.caller = caller;
    return true;
  }
}

export const CallerOf = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthedRequest>().caller;
  if (!caller) throw new OmniError('unauthorized', 'not authenticated', false);
  return caller;
});

/** ApiKeys, Sessions and AuthGuard for every module of an app; needs PersistenceModule (api_keys, people, sessions). */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: AUTH_OPTIONS, useValue: options }, ApiKeys, Sessions, AuthGuard],
      exports: [ApiKeys, Sessions, AuthGuard],
    };
  }
}
