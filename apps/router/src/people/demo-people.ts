import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { hashPassword } from '@omni/auth';
import { AGENT_REPOSITORY, AgentRepository, PERSON_REPOSITORY, PersonRepository, PersonRole } from '@omni/persistence';
import { rootLogger } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

/** Published, not secrets: they exist only under OMNI_PROFILE=demo (`npm run up`; README, ADR 0610). */
export const DEMO_PASSWORD = 'omni-demo-password';
export const DEMO_PEOPLE: readonly { email: string; name: string; role: PersonRole; agentId?: string }[] = [
  { email: 'admin@demo.local', name: 'Demo Admin', role: 'admin' },
  { email: 'supervisor@demo.local', name: 'Demo Supervisor', role: 'supervisor' },
  { email: 'agent@demo.local', name: 'Demo Agent', role: 'agent', agentId: 'demo-agent' },
];

/** Under the demo profile only: the bootstrap tenant's demo admin, supervisor and agent (idempotent, every replica). */
@Injectable()
export class DemoPeople implements OnApplicationBootstrap {
  constructor(
    @Inject(PERSON_REPOSITORY) private readonly people: PersonRepository,
    @Inject(AGENT_REPOSITORY) private readonly agents: AgentRepository,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.OMNI_PROFILE !== 'demo') return;
    const tenantId = this.config.TENANT_ID;
    for (const p of DEMO_PEOPLE) {
      if (p.agentId && !(await this.agents.get(tenantId, p.agentId))) {
        await this.agents.save({ _id: p.agentId, tenantId, name: p.name, groupIds: ['default'], languages: ['en', 'es', 'pt'], maxConcurrent: 5, presence: 'offline' });
      }
      if (await this.people.byEmail(tenantId, p.email)) continue;
      // Stable ids: replicas racing insert the same person once (unique email per tenant).
      await this.people.insert({ _id: `p_demo_${p.role}`, tenantId, ...p, passwordHash: await hashPassword(DEMO_PASSWORD) });
    }
    rootLogger().info({ tenantId, people: DEMO_PEOPLE.map((p) => p.email) }, 'demo profile: demo people can sign in to the workspace');
  }
}
