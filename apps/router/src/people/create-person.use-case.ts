import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, OmniError, ValidationError } from '@omni/contracts';
import { hashPassword, newPersonId } from '@omni/auth';
import { AGENT_REPOSITORY, AgentRepository, PERSON_REPOSITORY, PersonRepository, PersonRole, TENANT_DIRECTORY, TenantDirectory } from '@omni/persistence';

export interface NewPerson {
  email: string;
  name: string;
  role: PersonRole;
  agentId?: string;
  password: string;
}

/** Adds a person to a tenant: an agent must name one of the tenant's agents; one email per tenant (409). */
@Injectable()
export class CreatePersonUseCase {
  constructor(
    @Inject(PERSON_REPOSITORY) private readonly people: PersonRepository,
    @Inject(AGENT_REPOSITORY) private readonly agents: AgentRepository,
    @Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory,
  ) {}

  async execute(tenantId: string, input: NewPerson): Promise<{ id: string }> {
    if (input.role === 'agent' && !input.agentId) throw new ValidationError('invalid body', [{ path: 'agentId', message: 'required for role agent' }]);
    if (!(await this.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId}`);
    if (input.agentId && !(await this.agents.get(tenantId, input.agentId))) {
      throw new ValidationError('invalid body', [{ path: 'agentId', message: `no agent ${input.agentId} in this tenant (PUT /v1/agents/${input.agentId} first)` }]);
    }
    const id = newPersonId();
    const created = await this.people.insert({
      _id: id, tenantId, email: input.email, name: input.name, role: input.role, passwordHash: await hashPassword(input.password),
      ...(input.agentId ? { agentId: input.agentId } : {}),
    });
    if (created === 'taken') throw new OmniError('conflict', 'email: this tenant has a person with this email already', false);
    return { id };
  }
}
