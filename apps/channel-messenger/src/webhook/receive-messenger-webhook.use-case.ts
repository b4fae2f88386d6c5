import { Inject, Injectable } from '@nestjs/common';
import { RetryableError, ValidationError } from '@omni/contracts';
import { type DecodeResult, MessengerVerifier, decodeMessengerWebhook } from '@omni/channels';
import { MediaIngest, publishDecoded } from '@omni/channel-kit';
import { EventPublisher } from '@omni/messaging';
import { rootLogger } from '@omni/telemetry';
import { MESSENGER_CONFIG, MessengerConfig } from '../config';
import { MessengerMediaSource } from '../media/messenger-media.source';
import { MessengerStatusResolver } from './status-resolver';

export interface ReceiveWebhookCommand {
  /** The bytes as received: the signature covers exactly these. */
  rawBody: Buffer | undefined;
  signature: string | undefined;
}

/**
 * One Page webhook POST: verify the signature on the raw bytes, decode every entry and messaging
 * event, map statuses to our message ids, and resolve only once all events are on Kafka.
 */
@Injectable()
export class ReceiveMessengerWebhookUseCase {
  private readonly log = rootLogger().child({ component: 'messenger-webhook' });
  private readonly verifier: MessengerVerifier;

  constructor(
    @Inject(MESSENGER_CONFIG) private readonly config: MessengerConfig,
    private readonly publisher: EventPublisher,
    private readonly statuses: MessengerStatusResolver,
    private readonly media: MediaIngest,
    private readonly mediaSource: MessengerMediaSource,
  ) {
    this.verifier = new MessengerVerifier({ appSecret: config.MESSENGER_APP_SECRET, verifyToken: config.MESSENGER_VERIFY_TOKEN });
  }

  handshake(query: Record<string, string | string[] | undefined>): string {
    return this.verifier.verifyHandshake(query);
  }

  async execute(cmd: ReceiveWebhookCommand): Promise<{ messages: number; statuses: number; ignored: number }> {
    if (!cmd.rawBody?.length) throw new ValidationError('expected a JSON body (content-type application/json)');
    this.verifier.verifySignature(cmd.rawBody, cmd.signature);
    const resolved = await this.statuses.resolve(this.decode(cmd.rawBody));
    // Attachment URLs expire: the bytes are stored before the events are published (ADR 0420).
    const result = await this.media.storeAll(resolved, this.mediaSource);
    if (result.ignored.length) this.log.info({ ignored: result.ignored }, 'webhook items not turned into events');
    try {
      const n = await publishDecoded(this.publisher, result);
      return { ...n, ignored: result.ignored.length };
    } catch (err) {
      // Not on Kafka: a 503 makes Meta redeliver, and the deterministic ids dedupe what did get through.
      throw new RetryableError('publish_failed', `events not stored: ${(err as Error).message}`);
    }
  }

  private decode(rawBody: Buffer): DecodeResult {
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody.toString('utf8'));
    } catch (err) {
      throw new ValidationError(`body is not JSON: ${(err as Error).message}`);
    }
    const pageId = this.config.MESSENGER_PAGE_ID;
    return decodeMessengerWebhook(payload, {
      tenantId: this.config.TENANT_ID,
      region: this.config.REGION,
      // Only the configured Page is ours; another Page's events are reported as ignored.
      resolveAccount: (id) => (id === pageId ? { accountId: id } : undefined),
    });
  }
}
