import { Controller, Get, Header, HttpCode, Headers, Inject, Post, Query, RawBodyRequest, Req, type Type } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { OmniError } from '@omni/contracts';

/** A Meta webhook's use case (WhatsApp Cloud API, Messenger): the handshake and one signed POST. */
export interface MetaWebhookReceiver {
  handshake(query: Record<string, string | string[] | undefined>): string;
  execute(cmd: { rawBody: Buffer | undefined; signature: string | undefined }): Promise<{ messages: number; statuses: number; ignored: number }>;
}

class HandshakeRefused extends OmniError {
  constructor(reason: string) {
    super('forbidden', reason, false);
  }
}

/**
 * `GET/POST <path>` for a Meta webhook: the verification handshake (403 for a wrong verify token;
 * a bad POST signature is the use case's 401) and the signed POSTs, answered 200 once stored. Each
 * channel extends it with its path and use case.
 */
export function MetaWebhookController(path: string, receiver: Type<MetaWebhookReceiver>): Type<object> {
  @Controller(path)
  class MetaWebhook {
    constructor(@Inject(receiver) private readonly receive: MetaWebhookReceiver) {}

    @Get()
    @Header('content-type', 'text/plain')
    handshake(@Query() query: Record<string, string | string[] | undefined>): string {
      try {
        return this.receive.handshake(query);
      } catch (err) {
        throw new HandshakeRefused((err as Error).message);
      }
    }

    @Post()
    @HttpCode(200)
    async post(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('x-hub-signature-256') signature: string | undefined): Promise<{ ok: true; messages: number; statuses: number; ignored: number }> {
      return { ok: true, ...(await this.receive.execute({ rawBody: req.rawBody, signature })) };
    }
  }
  return MetaWebhook;
}
