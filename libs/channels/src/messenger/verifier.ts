import { HandshakeQuery, verifyHubHandshake, verifyHubSignature } from '../common/hub';

export interface MessengerVerifierConfig {
  appSecret: string;
  verifyToken: string;
}

/**
 * Verifies Messenger Page webhooks — the same scheme as WhatsApp, both being Meta apps. Every failure
 * throws SignatureError (→ 401/403, nothing produced).
 */
export class MessengerVerifier {
  constructor(private readonly config: MessengerVerifierConfig) {}

  /** `rawBody` must be the bytes as received, before any JSON parsing. */
  verifySignature(rawBody: Buffer | string, signatureHeader: string | undefined): void {
    verifyHubSignature(rawBody, signatureHeader, this.config.appSecret);
  }

  /** GET handshake: returns the `hub.challenge` to echo back. */
  verifyHandshake(query: HandshakeQuery): string {
    return verifyHubHandshake(query, this.config.verifyToken);
  }
}
