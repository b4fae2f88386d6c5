import { OmniError, ValidationError } from '@omni/contracts';
import { Permission, Role, roleCan } from './roles';

/**
 * Who called, from the credential alone. The operator (API_KEY) manages tenants, acts as admin of any
 * tenant named in a path, and as admin of the bootstrap tenant on the routes scoped to the caller's own.
 */
export interface Caller {
  readonly tenantId: string;
  readonly role: Role;
  readonly operator: boolean;
  /** The key's public id (absent for the operator). */
  readonly keyId?: string;
  readonly keyName: string;
  /** The signed-in person (a session token, ADR 0610; absent for keys). */
  readonly personId?: string;
  /** The signed-in person's name (sessions only). */
  readonly personName?: string;
  /** The agent this credential acts as (agents' keys; optional on the others). */
  readonly agentId?: string;
}

export function can(caller: Caller, permission: Permission): boolean {
  return caller.operator || roleCan(caller.role, permission);
}

/** Throws `forbidden` unless the caller holds the permission and, for a path naming a tenant, belongs to it. */
export function authorize(caller: Caller, permission: Permission, pathTenantId?: string): void {
  if (!can(caller, permission)) throw new OmniError('forbidden', `${permission} is not allowed for the ${caller.role} role`, false);
  if (pathTenantId !== undefined && !caller.operator && pathTenantId !== caller.tenantId) {
    throw new OmniError('forbidden', 'this credential belongs to another tenant', false);
  }
}

/**
 * The agent a route acts as: the credential's. A body may still name one, only to say the same agent,
 * or, for an admin's or supervisor's key without an agent, to write on that agent's behalf (recorded
 * with the key's name). An agent's or service key never acts as someone else.
 */
export function actingAgent(caller: Caller, named: string | undefined): string {
  if (caller.agentId !== undefined) {
    if (named !== undefined && named !== caller.agentId) throw new OmniError('forbidden', `this credential acts as agent ${caller.agentId}, not ${named}`, false);
    return caller.agentId;
  }
  if (caller.role === 'agent' || caller.role === 'service') {
    throw new OmniError('forbidden', `a ${caller.role} key without an agentId cannot act as an agent`, false);
  }
  if (named === undefined) throw new ValidationError('invalid body', [{ path: 'agentId', message: 'required: this key acts as no agent' }]);
  return named;
}

/** An agent's own key may change only its own record (presence); the other roles any of the tenant's. */
export function mayActOnAgent(caller: Caller, agentId: string): void {
  if (caller.role === 'agent' && !caller.operator && caller.agentId !== agentId) {
    throw new OmniError('forbidden', 'an agent key may change only its own agent', false);
  }
}
