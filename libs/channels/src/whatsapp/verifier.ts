import { MetaWebhookVerifier, type MetaVerifierConfig } from '../common/hub';

export type WhatsAppVerifierConfig = MetaVerifierConfig;

/** Verifies WhatsApp Cloud API webhooks (Meta's scheme: `MetaWebhookVerifier`). */
export class WhatsAppVerifier extends MetaWebhookVerifier {}
