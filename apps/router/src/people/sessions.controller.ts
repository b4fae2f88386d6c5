import { Body, Controller, Delete, Get, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtension, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuthGuard, Caller, CallerOf, Requires, SessionTokens, Sessions } from '@omni/auth';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';

const SignInBody = z.object({
  tenantId: z.string().min(1).max(64),
  email: z.string().min(3).max(254),
  password: z.string().min(1).max(256),
}).strict();
const RefreshBody = z.object({ refreshToken: z.string().min(1).max(256) }).strict();

/**
 * Sign-in for people (ADR 0610). `POST /v1/sessions` and `/v1/sessions/refresh` are public (the
 * password or refresh token is the credential; the per-address rate limit applies); the access token
 * they return works on every route like an API key (`Authorization: Bearer oms_…`).
 */
@ApiTags('sessions')
@Controller('v1')
export class SessionsController {
  constructor(private readonly sessions: Sessions) {}

  @Post('sessions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Sign in with email and password: a 15-minute access token and a 12-hour refresh token (public; 401 for a wrong email or password)' })
  @ApiExtension('x-roles', ['public'])
  @ApiBody({ schema: openApi(SignInBody) })
  signIn(@Body() body: unknown): Promise<SessionTokens> {
    const { tenantId, email, password } = parse(SignInBody, body, 'body');
    return this.sessions.signIn(tenantId, email, password);
  }

  @Post('sessions/refresh')
  @HttpCode(201)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair (the old pair stops; public)' })
  @ApiExtension('x-roles', ['public'])
  @ApiBody({ schema: openApi(RefreshBody) })
  refresh(@Body() body: unknown): Promise<SessionTokens> {
    return this.sessions.refresh(parse(RefreshBody, body, 'body').refreshToken);
  }
}

/** What a signed-in credential may ask about itself. */
@ApiTags('sessions')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1')
export class MeController {
  constructor(private readonly sessions: Sessions) {}

  @Get('me')
  @Requires('sessions.own')
  @ApiOperation({ summary: 'Who this credential is: tenant, role, agent, person' })
  me(@CallerOf() caller: Caller): { tenantId: string; role: string; name: string; agentId?: string; personId?: string } {
    return {
      tenantId: caller.tenantId, role: caller.operator ? 'operator' : caller.role, name: caller.keyName,
      ...(caller.agentId ? { agentId: caller.agentId } : {}), ...(caller.personId ? { personId: caller.personId } : {}),
    };
  }

  @Delete('sessions/current')
  @HttpCode(204)
  @Requires('sessions.own')
  @ApiOperation({ summary: 'Sign out: this access token and its refresh token stop at once' })
  async signOut(@Headers('authorization') authorization: string): Promise<void> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (token?.startsWith('oms_')) await this.sessions.signOut(token);
  }
}
