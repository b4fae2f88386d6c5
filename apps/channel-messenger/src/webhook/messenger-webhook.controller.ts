import { MetaWebhookController } from '@omni/channel-kit';
import { ReceiveMessengerWebhookUseCase } from './receive-messenger-webhook.use-case';

/** `GET/POST /webhooks/messenger` ★ — Meta's verification handshake and the signed Page events. */
export class MessengerWebhookController extends MetaWebhookController('webhooks/messenger', ReceiveMessengerWebhookUseCase) {}
