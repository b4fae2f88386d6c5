import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@omni/contracts';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { CHANNEL_ACCOUNT_REPOSITORY, ChannelAccountDoc, ChannelAccountRepository } from '@omni/persistence';
import { ConnectAccountBody } from './channel-account-input';
import { Connected, ConnectChannelAccountUseCase } from './connect-channel-account.use-case';
import { RotateChannelCredentialsUseCase } from './rotate-channel-credentials.use-case';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';

/** An account as the API shows it: never a secret, only whether it has credentials. */
export interface ChannelAccountView {
  id: string;
  tenantId: string;
  channel: string;
  externalId: string;
  name?: string;
  settings: Record<string, unknown>;
  hasCredentials: boolean;
  createdAt: Date;
  updatedAt: Date;
  credentialsUpdatedAt?: Date;
}

function view(a: ChannelAccountDoc): ChannelAccountView {
  return {
    id: a._id, tenantId: a.tenantId, channel: a.channel, externalId: a.externalId, settings: a.settings, hasCredentials: a.secrets !== undefined,
    createdAt: a.createdAt, updatedAt: a.updatedAt, ...(a.name !== undefined ? { name: a.name } : {}),
    ...(a.credentialsUpdatedAt ? { credentialsUpdatedAt: a.credentialsUpdatedAt } : {}),
  };
}

/** A tenant's channel accounts (its admin, or the operator). Credentials are write-only. */
@ApiTags('tenants')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/tenants/:tenantId/channel-accounts')
export class ChannelAccountsController {
  constructor(
    @Inject(CHANNEL_ACCOUNT_REPOSITORY) private readonly accounts: ChannelAccountRepository,
    private readonly connect: ConnectChannelAccountUseCase,
    private readonly rotate: RotateChannelCredentialsUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @Requires('channel-accounts.manage')
  @ApiOperation({
    summary: 'Connect a WhatsApp number, Messenger page, Telegram bot, mailbox or web widget',
    description: '409 when the account is connected already (to this or another tenant). Secrets are encrypted at rest and never returned. A web widget answers its public id and embed snippet.',
  })
  @ApiBody({ schema: openApi(ConnectAccountBody) })
  create(@CallerOf() caller: Caller, @Param('tenantId') tenantId: string, @Body() body: unknown): Promise<Connected> {
    return this.connect.execute({ tenantId, input: parse(ConnectAccountBody, body, 'body'), by: `api:${caller.keyName}` });
  }

  @Get()
  @Requires('channel-accounts.manage')
  @ApiOperation({ summary: 'The tenant’s channel accounts (without secrets)' })
  async list(@Param('tenantId') tenantId: string): Promise<ChannelAccountView[]> {
    return (await this.accounts.list(tenantId)).map(view);
  }

  @Get(':id')
  @Requires('channel-accounts.manage')
  @ApiOperation({ summary: 'One channel account (without secrets)' })
  async get(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<ChannelAccountView> {
    const a = await this.accounts.get(tenantId, id);
    if (!a) throw new NotFoundError(`channel account ${id}`);
    return view(a);
  }

  @Put(':id/credentials')
  @HttpCode(204)
  @Requires('channel-accounts.manage')
  @ApiOperation({ summary: 'Rotate the credentials (whatsapp: accessToken, appSecret; messenger: pageAccessToken, appSecret; telegram: botToken; email: smtpPass and/or imapPass)' })
  @ApiBody({ schema: { type: 'object' } })
  async rotateCredentials(@Param('tenantId') tenantId: string, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    await this.rotate.execute(tenantId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('channel-accounts.manage')
  @ApiOperation({ summary: 'Disconnect: the account and its encrypted credentials are deleted' })
  async disconnect(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<void> {
    if (!(await this.accounts.remove(tenantId, id))) throw new NotFoundError(`channel account ${id}`);
  }
}
