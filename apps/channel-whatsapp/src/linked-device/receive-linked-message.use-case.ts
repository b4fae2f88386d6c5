import { Inject, Injectable } from '@nestjs/common';
import { FatalError } from '@omni/contracts';
import {
  type DecodeContext, type DecodeResult, type WebMessageLike, type WebReactionLike, decodeWhatsAppWebAck, decodeWhatsAppWebMessage, decodeWhatsAppWebReaction,
} from '@omni/channels';
import { MediaIngest, type MediaSource, SendLedger, publishDecoded } from '@omni/channel-kit';
import { EventPublisher } from '@omni/messaging';
import { RetryPolicy, withRetry } from '@omni/resilience';
import { rootLogger } from '@omni/telemetry';
import { WHATSAPP_CONFIG, WhatsAppConfig } from '../config';

/** A live whatsapp-web.js message: the decoder's fields plus its media download. */
export interface LiveWebMessage extends WebMessageLike {
  downloadMedia?(): Promise<{ mimetype: string; data: string; filename?: string | null } | undefined>;
}

/**
 * There is no provider redelivery in linked-device mode: an event not on Kafka is lost once this
 * gives up, so publishing is retried far longer than in a webhook (about 2 minutes), then logged.
 */
export const LINKED_PUBLISH_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 30_000 };

/**
 * Events of the linked-device clients, normalized like Cloud API webhooks (same ★ contracts): a
 * customer's message (its media downloaded through the client and stored), a reaction, or an ack of
 * one of our messages (mapped to our id through the send ledger).
 */
@Injectable()
export class ReceiveLinkedMessageUseCase {
  private readonly log = rootLogger().child({ component: 'whatsapp-linked-device' });
  private retry: RetryPolicy = LINKED_PUBLISH_RETRY;

  constructor(
    @Inject(WHATSAPP_CONFIG) private readonly config: WhatsAppConfig,
    private readonly publisher: EventPublisher,
    private readonly ledger: SendLedger,
    private readonly media: MediaIngest,
  ) {}

  /** Tests shorten the publish retries. */
  withRetryPolicy(policy: RetryPolicy): this {
    this.retry = policy;
    return this;
  }

  async message(accountId: string, msg: LiveWebMessage): Promise<number> {
    const decoded = decodeWhatsAppWebMessage(msg, this.context(), accountId);
    if ('ignored' in decoded) {
      this.log.debug({ accountId, ref: msg.id.id, reason: decoded.ignored }, 'linked-device message not turned into an event');
      return 0;
    }
    const result: DecodeResult = { messages: [decoded.message], statuses: [], ignored: [] };
    return this.publish(() => this.media.storeAll(result, downloads(msg)));
  }

  async reaction(accountId: string, reaction: WebReactionLike): Promise<number> {
    const decoded = decodeWhatsAppWebReaction(reaction, this.context(), accountId);
    if ('ignored' in decoded) return 0;
    return this.publish(async () => ({ messages: [decoded.message], statuses: [], ignored: [] }));
  }

  async ack(accountId: string, msg: WebMessageLike, ack: number): Promise<number> {
    const status = decodeWhatsAppWebAck(msg, ack, this.context(), accountId);
    if ('ignored' in status) return 0;
    return this.publish(async () => {
      const send = await this.ledger.byProviderId('whatsapp', accountId, msg.id.id);
      if (!send) return { messages: [], statuses: [], ignored: [{ reason: 'ack of a message the gateway did not send' }] };
      return { messages: [], statuses: [{ ...status, messageId: send._id }], ignored: [] };
    });
  }

  /** Throws after the last retry; the manager logs it (the event is lost: nobody redelivers it). */
  private publish(prepare: () => Promise<DecodeResult>): Promise<number> {
    return withRetry(async () => {
      const result = await prepare();
      const n = await publishDecoded(this.publisher, result);
      return n.messages + n.statuses;
    }, this.retry);
  }

  private context(): DecodeContext {
    const ours = new Set(this.config.WHATSAPP_WEB_ACCOUNTS);
    return {
      tenantId: this.config.TENANT_ID,
      region: this.config.REGION,
      resolveAccount: (id) => (ours.has(id) ? { accountId: id } : undefined),
    };
  }
}

/** Media of a linked-device message comes through the client (no URL, so no SSRF surface). */
function downloads(msg: LiveWebMessage): MediaSource {
  return {
    fetch: async () => {
      const media = msg.downloadMedia ? await msg.downloadMedia() : undefined;
      if (!media?.data) throw new FatalError('media_unavailable', 'whatsapp-web.js could not download the media (expired or deleted)');
      return { content: Buffer.from(media.data, 'base64'), contentType: media.mimetype.split(';')[0].trim().toLowerCase() };
    },
  };
}
