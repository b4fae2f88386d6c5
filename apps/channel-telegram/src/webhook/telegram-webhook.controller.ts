import { Controller, HttpCode, Headers, Param, Post, RawBodyRequest, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ReceiveTelegramUpdateUseCase } from './receive-telegram-update.use-case';

/**
 * `POST /webhooks/telegram` ★ — updates pushed by the Bot API (setWebhook with secret_token) for the
 * env's bot; `POST /webhooks/telegram/<botId>` for each bot connected through the API (ADR 0600).
 */
@Controller('webhooks/telegram')
export class TelegramWebhookController {
  constructor(private readonly receive: ReceiveTelegramUpdateUseCase) {}

  @Post()
  @HttpCode(200)
  async post(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('x-telegram-bot-api-secret-token') secretToken: string | undefined): Promise<{ ok: true; messages: number; statuses: number; ignored: number }> {
    const result = await this.receive.execute({ rawBody: req.rawBody, secretToken });
    return { ok: true, ...result };
  }

  @Post(':botId')
  @HttpCode(200)
  async postForBot(
    @Req() req: RawBodyRequest<FastifyRequest>,
    @Param('botId') botId: string,
    @Headers('x-telegram-bot-api-secret-token') secretToken: string | undefined,
  ): Promise<{ ok: true; messages: number; statuses: number; ignored: number }> {
    const result = await this.receive.execute({ rawBody: req.rawBody, secretToken, botId });
    return { ok: true, ...result };
  }
}
