import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NotFoundError } from '@omni/contracts';
import { AuthGuard, Requires, Sessions } from '@omni/auth';
import { PERSON_REPOSITORY, PERSON_ROLES, PersonRepository } from '@omni/persistence';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';
import { CreatePersonUseCase } from './create-person.use-case';

export const CreatePersonBody = z.object({
  email: z.email().max(254).transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1).max(128),
  role: z.enum(PERSON_ROLES),
  /** The agent record this person works as (required for role agent). */
  agentId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)').optional(),
  /** At least 12 characters; stored only as its scrypt hash. */
  password: z.string().min(12, 'at least 12 characters').max(256),
}).strict();

export interface PersonView {
  id: string;
  email: string;
  name: string;
  role: string;
  agentId?: string;
  createdAt: Date;
}

/** A tenant's people who sign in (ADR 0610): created by its admin, listed without their password hashes, removed. */
@ApiTags('tenants')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/tenants/:tenantId/people')
export class PeopleController {
  constructor(
    @Inject(PERSON_REPOSITORY) private readonly people: PersonRepository,
    private readonly create: CreatePersonUseCase,
    private readonly sessions: Sessions,
  ) {}

  @Post()
  @HttpCode(201)
  @Requires('people.manage')
  @ApiOperation({ summary: 'Add a person who signs in (admin, supervisor or agent; an agent names its agentId)' })
  @ApiBody({ schema: openApi(CreatePersonBody) })
  async add(@Param('tenantId') tenantId: string, @Body() body: unknown): Promise<{ id: string }> {
    return this.create.execute(tenantId, parse(CreatePersonBody, body, 'body'));
  }

  @Get()
  @Requires('people.manage')
  @ApiOperation({ summary: 'The tenant’s people (never their password hashes)' })
  async list(@Param('tenantId') tenantId: string): Promise<PersonView[]> {
    return (await this.people.list(tenantId)).map((p) => ({
      id: p._id, email: p.email, name: p.name, role: p.role, createdAt: p.createdAt, ...(p.agentId ? { agentId: p.agentId } : {}),
    }));
  }

  @Delete(':personId')
  @HttpCode(204)
  @Requires('people.manage')
  @ApiOperation({ summary: 'Remove a person and end their sessions' })
  async remove(@Param('tenantId') tenantId: string, @Param('personId') personId: string): Promise<void> {
    if (!(await this.people.remove(tenantId, personId))) throw new NotFoundError(`person ${personId}`);
    await this.sessions.endAll(tenantId, personId);
  }
}
