import { MetaWebhookController } from '@omni/channel-kit';
import { ReceiveWhatsAppWebhookUseCase } from './receive-whatsapp-webhook.use-case';

/** `GET/POST /webhooks/whatsapp` ★ — Meta's verification handshake and the signed event POSTs. */
export class WhatsAppWebhookController extends MetaWebhookController('webhooks/whatsapp', ReceiveWhatsAppWebhookUseCase) {}
