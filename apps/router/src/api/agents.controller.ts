import { Body, Controller, Get, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '@omni/contracts';
import { AGENT_REPOSITORY, AGENT_SLOT_REPOSITORY, AgentDoc, AgentRepository, AgentSlotRepository } from '@omni/persistence';
import { SkillGroup, SkillGroupsInputSchema } from '@omni/routing';
import { RoutingDirectory } from '../routing/routing-directory';
import { ChangeTenantSettingsUseCase, actorOf } from '../settings/change-tenant-settings.use-case';
import { AuthGuard, Caller, CallerOf, Requires, mayActOnAgent } from '@omni/auth';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';

const Presence = z.enum(['online', 'away', 'offline']);
const AgentBody = z.object({
  name: z.string().min(1).max(128),
  groupIds: z.array(z.string().min(1).max(128)).max(50).default([]),
  languages: z.array(z.string().min(2).max(35)).max(20).default([]),
  maxConcurrent: z.number().int().min(1).max(50),
  presence: Presence.default('offline'),
}).strict();
const PresenceBody = z.object({ presence: Presence }).strict();
const AgentId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)');

type AgentView = AgentDoc & { activeConversations: string[] };

@ApiTags('agents')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1')
export class AgentsController {
  constructor(
    @Inject(AGENT_REPOSITORY) private readonly agents: AgentRepository,
    @Inject(AGENT_SLOT_REPOSITORY) private readonly slots: AgentSlotRepository,
    private readonly directory: RoutingDirectory,
    private readonly settings: ChangeTenantSettingsUseCase,
  ) {}

  @Get('agents')
  @Requires('agents.read')
  @ApiOperation({ summary: 'The tenant’s agents (filter by group or presence)' })
  list(@CallerOf() caller: Caller, @Query() query: unknown): Promise<AgentDoc[]> {
    const filter = parse(z.object({ groupId: z.string().min(1).optional(), presence: Presence.optional() }), query, 'query');
    return this.agents.list(caller.tenantId, filter);
  }

  @Get('agents/:id')
  @Requires('agents.read')
  @ApiOperation({ summary: 'One agent and the conversations holding its slots' })
  async get(@CallerOf() caller: Caller, @Param('id') id: string): Promise<AgentView> {
    const agent = await this.agents.get(caller.tenantId, id);
    if (!agent) throw new NotFoundError(`agent ${id}`);
    return { ...agent, activeConversations: await this.slots.held(id) };
  }

  @Put('agents/:id')
  @Requires('agents.write')
  @ApiOperation({ summary: 'Create or update an agent' })
  @ApiBody({ schema: openApi(AgentBody) })
  async save(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown): Promise<AgentDoc | null> {
    const agentId = parse(AgentId, id, 'agent id');
    const existing = await this.agents.get(caller.tenantId, agentId);
    // Agent ids are global keys (slots are keyed by them): another tenant's id is taken, and not revealed.
    if (!existing && (await this.isTakenElsewhere(agentId, caller.tenantId))) {
      throw new ValidationError('invalid agent id', [{ path: 'id', message: 'already in use' }]);
    }
    await this.agents.save({ _id: agentId, tenantId: caller.tenantId, ...parse(AgentBody, body, 'body') });
    return this.agents.get(caller.tenantId, agentId);
  }

  @Put('agents/:id/presence')
  @Requires('agents.presence')
  @ApiOperation({ summary: 'Set an agent’s presence (online agents receive conversations)' })
  @ApiBody({ schema: openApi(PresenceBody) })
  async presence(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown): Promise<AgentDoc> {
    mayActOnAgent(caller, id);
    const updated = await this.agents.setPresence(caller.tenantId, id, parse(PresenceBody, body, 'body').presence);
    if (!updated) throw new NotFoundError(`agent ${id}`);
    return updated;
  }

  @Get('skill-groups')
  @Requires('skill-groups.read')
  @ApiOperation({ summary: 'The tenant’s skill groups in routing order' })
  skillGroups(@CallerOf() caller: Caller): Promise<SkillGroup[]> {
    return this.directory.groupsOf(caller.tenantId);
  }

  @Put('skill-groups')
  @Requires('skill-groups.write')
  @ApiOperation({ summary: 'Replace the tenant’s skill groups (order = routing tie-break); the same change as PUT …/settings/skillGroups, versioned in the settings audit log' })
  @ApiBody({ schema: openApi(SkillGroupsInputSchema) })
  async replaceGroups(@CallerOf() caller: Caller, @Body() body: unknown): Promise<SkillGroup[]> {
    const r = SkillGroupsInputSchema.safeParse(body);
    if (!r.success) throw new ValidationError('invalid skill groups', r.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message })));
    await this.settings.execute(caller.tenantId, 'skillGroups', r.data, actorOf(caller));
    return this.directory.groupsOf(caller.tenantId);
  }

  private async isTakenElsewhere(id: string, tenantId: string): Promise<boolean> {
    const any = await this.agents.getAny(id);
    return any !== null && any.tenantId !== tenantId;
  }
}
