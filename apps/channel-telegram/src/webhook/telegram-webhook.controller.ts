import { Controller, HttpCode, Headers, Post, RawBodyRequest, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ReceiveTelegramUpdateUseCase } from './receive-telegram-update.use-case';

/** `POST /webhooks/telegram` ★ — updates pushed by the Bot API (setWebhook with secret_token). */
@Controller('webhooks/telegram')
export class TelegramWebhookController {
  constructor(private readonly receive: ReceiveTelegramUpdateUseCase) {}

  @Post()
  @HttpCode(200)
  async post(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('x-telegram-bot-api-secret-token') secretToken: string | undefined): Promise<{ ok: true; messages: number; statuses: number; ignored: number }> {
    const result = await this.receive.execute({ rawBody: req.rawBody, secretToken });
    return { ok: true, ...result };
  }
}
