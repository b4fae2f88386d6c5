import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, RetryableError, ValidationError } from '@omni/contracts';
import { type DecodeResult, WhatsAppVerifier, decodeWhatsAppWebhook } from '@omni/channels';
import { MediaIngest, SendLedger, publishDecoded } from '@omni/channel-kit';
import { EventPublisher } from '@omni/messaging';
import { rootLogger } from '@omni/telemetry';
import { WHATSAPP_CONFIG, WhatsAppConfig } from '../config';
import { WhatsAppMediaSource } from '../media/whatsapp-media.source';

export interface ReceiveWebhookCommand {
  /** The bytes as received: the signature covers exactly these. */
  rawBody: Buffer | undefined;
  signature: string | undefined;
}

/**
 * One Cloud API webhook POST: verify the signature on the raw bytes, decode every entry, change,
 * message and status, store its media, and resolve only once all of them are on Kafka (the 200 means "stored").
 */
@Injectable()
export class ReceiveWhatsAppWebhookUseCase {
  private readonly log = rootLogger().child({ component: 'whatsapp-webhook' });
  /** Undefined in a linked-device-only deployment: the Cloud API webhook answers 404. */
  private readonly verifier?: WhatsAppVerifier;

  constructor(
    @Inject(WHATSAPP_CONFIG) private readonly config: WhatsAppConfig,
    private readonly publisher: EventPublisher,
    private readonly ledger: SendLedger,
    private readonly media: MediaIngest,
    private readonly mediaSource: WhatsAppMediaSource,
  ) {
    if (config.WHATSAPP_APP_SECRET && config.WHATSAPP_VERIFY_TOKEN) {
      this.verifier = new WhatsAppVerifier({ appSecret: config.WHATSAPP_APP_SECRET, verifyToken: config.WHATSAPP_VERIFY_TOKEN });
    }
  }

  handshake(query: Record<string, string | string[] | undefined>): string {
    return this.cloudApi().verifyHandshake(query);
  }

  async execute(cmd: ReceiveWebhookCommand): Promise<{ messages: number; statuses: number; ignored: number }> {
    if (!cmd.rawBody?.length) throw new ValidationError('expected a JSON body (content-type application/json)');
    this.cloudApi().verifySignature(cmd.rawBody, cmd.signature);
    const decoded = await this.withOurMessageIds(this.decode(cmd.rawBody));
    // Attachments are fetched and stored before anything is published (ADR 0420): the events reference the stored copy.
    const result = await this.media.storeAll(decoded, this.mediaSource);
    if (result.ignored.length) this.log.info({ ignored: result.ignored }, 'webhook items not turned into events');
    try {
      const n = await publishDecoded(this.publisher, result);
      return { ...n, ignored: result.ignored.length };
    } catch (err) {
      // Not on Kafka: a 503 makes Meta redeliver, and the deterministic ids dedupe what did get through.
      throw new RetryableError('publish_failed', `events not stored: ${(err as Error).message}`);
    }
  }

  /**
   * Statuses normally carry our id (biz_opaque_callback_data); one without it is mapped back through
   * the send ledger. A status of a message the gateway did not send (another client on the number) is
   * reported as ignored: produced, the router could never fold it and would retry it into the DLQ.
   */
  private async withOurMessageIds(result: DecodeResult): Promise<DecodeResult> {
    const statuses: DecodeResult['statuses'] = [];
    const ignored = [...result.ignored];
    for (const s of result.statuses) {
      if (!s.channelMessageId || s.messageId !== s.channelMessageId) {
        statuses.push(s);
        continue;
      }
      const send = await this.ledger.byProviderId('whatsapp', s.accountId, s.channelMessageId).catch((err: unknown) => {
        throw new RetryableError('store_unavailable', `send ledger lookup failed: ${(err as Error).message}`);
      });
      if (send) statuses.push({ ...s, messageId: send._id });
      else ignored.push({ reason: `${s.status} for a message the gateway did not send`, ref: s.channelMessageId });
    }
    return { ...result, statuses, ignored };
  }

  private cloudApi(): WhatsAppVerifier {
    if (!this.verifier) throw new NotFoundError('WhatsApp Cloud API webhook (this deployment runs linked-device accounts only)');
    return this.verifier;
  }

  private decode(rawBody: Buffer): DecodeResult {
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody.toString('utf8'));
    } catch (err) {
      throw new ValidationError(`body is not JSON: ${(err as Error).message}`);
    }
    const phoneNumberId = this.config.WHATSAPP_PHONE_NUMBER_ID;
    return decodeWhatsAppWebhook(payload, {
      tenantId: this.config.TENANT_ID,
      region: this.config.REGION,
      // Only the configured number is ours; another number's events are reported as ignored.
      resolveAccount: (id) => (id === phoneNumberId ? { accountId: id } : undefined),
    });
  }
}
