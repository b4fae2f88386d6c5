import { HandshakeQuery, verifyHubHandshake, verifyHubSignature } from '../common/hub';

export interface WhatsAppVerifierConfig {
  appSecret: string;
  verifyToken: string;
}

/** Verifies WhatsApp Cloud API webhooks; every failure throws SignatureError (→ 401/403, nothing produced). */
export class WhatsAppVerifier {
  constructor(private readonly config: WhatsAppVerifierConfig) {}

  /** `rawBody` must be the bytes as received, before any JSON parsing. */
  verifySignature(rawBody: Buffer | string, signatureHeader: string | undefined): void {
    verifyHubSignature(rawBody, signatureHeader, this.config.appSecret);
  }

  /** GET handshake: returns the `hub.challenge` to echo back. */
  verifyHandshake(query: HandshakeQuery): string {
    return verifyHubHandshake(query, this.config.verifyToken);
  }
}
