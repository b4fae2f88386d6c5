import { Controller, Get, Header, HttpCode, Headers, Post, Query, RawBodyRequest, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { OmniError } from '@omni/contracts';
import { ReceiveWhatsAppWebhookUseCase } from './receive-whatsapp-webhook.use-case';

class HandshakeRefused extends OmniError {
  constructor(reason: string) {
    super('forbidden', reason, false);
  }
}

/** `GET/POST /webhooks/whatsapp` ★ — Meta's verification handshake and the signed event POSTs. */
@Controller('webhooks/whatsapp')
export class WhatsAppWebhookController {
  constructor(private readonly receive: ReceiveWhatsAppWebhookUseCase) {}

  @Get()
  @Header('content-type', 'text/plain')
  handshake(@Query() query: Record<string, string | string[] | undefined>): string {
    try {
      return this.receive.handshake(query);
    } catch (err) {
      // Meta expects 403 for a wrong verify token (a bad POST signature is 401).
      throw new HandshakeRefused((err as Error).message);
    }
  }

  @Post()
  @HttpCode(200)
  async post(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('x-hub-signature-256') signature: string | undefined): Promise<{ ok: true; messages: number; statuses: number; ignored: number }> {
    const result = await this.receive.execute({ rawBody: req.rawBody, signature });
    return { ok: true, ...result };
  }
}
