import { MetaWebhookVerifier, type MetaVerifierConfig } from '../common/hub';

export type MessengerVerifierConfig = MetaVerifierConfig;

/** Verifies Messenger Page webhooks — the same scheme as WhatsApp, both being Meta apps (`MetaWebhookVerifier`). */
export class MessengerVerifier extends MetaWebhookVerifier {}
