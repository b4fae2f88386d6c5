import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, Requires } from './nest';
import { newTestApiKeys } from './testing';

class Routes {
  @Requires('api-keys.manage')
  manageKeys(): void {}

  @Requires('conversations.read')
  read(): void {}

  undeclared(): void {}
}

function context(handler: () => void, authorization: string, params: Record<string, string> = {}) {
  const req: Record<string, unknown> = { headers: { authorization }, params };
  const ctx = {
    getHandler: () => handler,
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

describe('AuthGuard', () => {
  const t = newTestApiKeys('operator-key-0123456789');
  t.add('agent-key-0123456789', { tenantId: 'a', role: 'agent', agentId: 'ana' });
  t.add('admin-key-0123456789', { tenantId: 'a', role: 'admin' });
  const guard = new AuthGuard(t.keys, new Reflector());

  it('fails closed on a route that declares no permission, whoever calls', async () => {
    await expect(guard.canActivate(context(Routes.prototype.undeclared, 'Bearer operator-key-0123456789').ctx)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('checks the role against the route’s permission and puts the caller on the request', async () => {
    const ok = context(Routes.prototype.read, 'Bearer agent-key-0123456789');
    await expect(guard.canActivate(ok.ctx)).resolves.toBe(true);
    expect(ok.req.caller).toMatchObject({ tenantId: 'a', role: 'agent', agentId: 'ana' });
    await expect(guard.canActivate(context(Routes.prototype.manageKeys, 'Bearer agent-key-0123456789', { tenantId: 'a' }).ctx)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses a tenant in the path other than the caller’s, except to the operator', async () => {
    await expect(guard.canActivate(context(Routes.prototype.manageKeys, 'Bearer admin-key-0123456789', { tenantId: 'a' }).ctx)).resolves.toBe(true);
    await expect(guard.canActivate(context(Routes.prototype.manageKeys, 'Bearer admin-key-0123456789', { tenantId: 'b' }).ctx)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(guard.canActivate(context(Routes.prototype.manageKeys, 'Bearer operator-key-0123456789', { tenantId: 'b' }).ctx)).resolves.toBe(true);
  });

  it('refuses an unknown key', async () => {
    await expect(guard.canActivate(context(Routes.prototype.read, 'Bearer nobody-0123456789').ctx)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
