import { Controller, Get, Header, Headers, Inject, Param, StreamableFile } from '@nestjs/common';
import QRCode from 'qrcode';
import { NotFoundError, OmniError } from '@omni/contracts';
import { constantTimeEquals } from '@omni/channels';
import { WHATSAPP_CONFIG, WhatsAppConfig } from '../config';
import { LinkedDeviceManager } from './linked-device.manager';

class Unauthorized extends OmniError {
  constructor() {
    super('unauthorized', 'Authorization: Bearer <WHATSAPP_WEB_ADMIN_TOKEN> required', false);
  }
}

class NoQrPending extends OmniError {
  constructor(state: string) {
    super('conflict', `no pairing QR pending: the device is ${state}`, false, { state });
  }
}

/**
 * Pairing of linked-device accounts, for an operator: `GET /linked-device/:accountId` (state) and
 * `GET /linked-device/:accountId/qr` (the current pairing QR as a PNG; 409 when none is pending).
 * Whoever scans the QR owns the WhatsApp session, hence the bearer token.
 */
@Controller('linked-device')
export class LinkedDeviceController {
  constructor(
    @Inject(WHATSAPP_CONFIG) private readonly config: WhatsAppConfig,
    private readonly manager: LinkedDeviceManager,
  ) {}

  @Get(':accountId')
  status(@Headers('authorization') authorization: string | undefined, @Param('accountId') accountId: string) {
    this.authorize(authorization);
    const status = this.manager.status(accountId);
    if (!status) throw new NotFoundError(`linked-device account ${accountId}`);
    return status;
  }

  @Get(':accountId/qr')
  @Header('content-type', 'image/png')
  @Header('cache-control', 'no-store')
  async qr(@Headers('authorization') authorization: string | undefined, @Param('accountId') accountId: string): Promise<StreamableFile> {
    this.authorize(authorization);
    const status = this.manager.status(accountId);
    if (!status) throw new NotFoundError(`linked-device account ${accountId}`);
    const qr = this.manager.qr(accountId);
    if (!qr) throw new NoQrPending(status.state);
    return new StreamableFile(await QRCode.toBuffer(qr, { type: 'png', margin: 2, scale: 6 }));
  }

  private authorize(authorization: string | undefined): void {
    const token = this.config.WHATSAPP_WEB_ADMIN_TOKEN;
    const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token || !given || !constantTimeEquals(given, token)) throw new Unauthorized();
  }
}
