import { Inject, Injectable } from '@nestjs/common';
import { DeliveryStatus, RetryableError } from '@omni/contracts';
import { type DecodeResult, type IgnoredItem, statusRank } from '@omni/channels';
import { SendLedger } from '@omni/channel-kit';
import { MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';

/** How far back a read/delivery watermark looks in the conversation. */
const WATERMARK_WINDOW = 50;

/**
 * Messenger statuses name the provider's mid (delivery) or only a watermark time (read, delivery
 * without mids). The router folds statuses by our message id, so they are mapped here: a mid through
 * the send ledger, a watermark to every outbound message of the conversation sent up to that time.
 * Statuses of messages the gateway did not send (a human in the Page inbox) are reported as ignored
 * instead of being produced as statuses nobody can fold.
 */
@Injectable()
export class MessengerStatusResolver {
  constructor(
    private readonly ledger: SendLedger,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
  ) {}

  async resolve(result: DecodeResult): Promise<DecodeResult> {
    const ignored: IgnoredItem[] = [...result.ignored];
    const statuses: DeliveryStatus[] = [];
    try {
      for (const s of result.statuses) {
        const resolved = s.messageId.startsWith('watermark:') ? await this.watermark(s) : await this.byMid(s);
        if (resolved.length) statuses.push(...resolved);
        else ignored.push({ reason: `${s.status} for a message the gateway did not send`, ref: s.channelMessageId ?? s.messageId });
      }
    } catch (err) {
      throw new RetryableError('store_unavailable', `status lookup failed: ${(err as Error).message}`);
    }
    return { ...result, statuses, ignored };
  }

  private async byMid(s: DeliveryStatus): Promise<DeliveryStatus[]> {
    if (!s.channelMessageId) return [];
    const send = await this.ledger.byProviderId('messenger', s.accountId, s.channelMessageId);
    return send ? [{ ...s, messageId: send._id }] : [];
  }

  private async watermark(s: DeliveryStatus): Promise<DeliveryStatus[]> {
    const upTo = Number(s.messageId.slice('watermark:'.length));
    const recent = await this.messages.history(s.conversationId, WATERMARK_WINDOW);
    return recent
      .filter((m) => m.direction === 'outbound' && m.providerMessageId && new Date(m.timestamp).getTime() <= upTo && (m.statusRank ?? 0) < statusRank(s.status))
      // channelMessageId = the mid keeps the event id deterministic and the stored provider id intact.
      .map((m) => ({ ...s, messageId: m._id, channelMessageId: m.providerMessageId }));
  }
}
