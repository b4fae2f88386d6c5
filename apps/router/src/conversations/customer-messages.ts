import { Inject, Injectable } from '@nestjs/common';
import { Attachment, OutboundCommand, createEvent, outboundTopic } from '@omni/contracts';
import { EventPublisher } from '@omni/messaging';
import { ConversationDoc, MESSAGE_REPOSITORY, MessageDoc, MessageRepository } from '@omni/persistence';
import { RegionDirectory } from '../regions/region-directory';
import { ConversationEvents } from './conversation-events';

/** Who said a turn, as the AI request's history names it. */
export function turnRole(kind: string): 'customer' | 'bot' | 'agent' {
  return kind === 'customer' ? 'customer' : kind === 'agent' ? 'agent' : 'bot';
}

export interface OutgoingText {
  /** Deterministic id (derived from what caused it): the store's key and the send's idempotency key. */
  id: string;
  text: string;
  author: OutboundCommand['author'];
  replyToMessageId?: string;
  ai?: Record<string, unknown>;
  /**
   * Informational notices re-derived on every dispatcher tick (queue position, out of hours) are
   * produced only when first stored; a crash between the two loses that notice, never a reply.
   */
  onlyIfNew?: boolean;
  /** Choices for channels that show buttons (the text must make sense without them). */
  buttons?: { id: string; title: string }[];
  /**
   * Files (an agent's reply, ADR 0424): what the channel sends (`url` the provider fetches, `storeId`
   * where channels that read the media store take the bytes from) and what is stored — the stored
   * copy leaves out `url` when the file is in the store (a signed link is a credential until it expires).
   */
  attachments?: Attachment[];
  /** The message type when it is not text (the first attachment's kind). */
  type?: OutboundCommand['message']['type'];
  /** What the channel would otherwise read back (window, language, the quoted message's provider id). */
  context?: OutboundCommand['context'];
}

/**
 * Stores a message to the customer and produces its send command on the channel's outbound topic.
 * Running it again with the same id stores nothing new and re-produces the same command, which the
 * channel dedupes on messageId: a redelivered cause never messages the customer twice.
 */
@Injectable()
export class CustomerMessages {
  constructor(
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    private readonly publisher: EventPublisher,
    private readonly events: ConversationEvents,
    private readonly regions: RegionDirectory,
  ) {}

  async send(c: ConversationDoc, out: OutgoingText, at = new Date()): Promise<MessageDoc> {
    const channel = c.channel as OutboundCommand['channel'];
    // A paired tenant's send names the region that decided it and the epoch then (ADR 0300): the
    // channel does not send it again when a peer decided it later, and checks one that outlived a switch.
    const assignment = this.regions.get(c.tenantId);
    const { message, created } = await this.messages.insert({
      _id: out.id,
      tenantId: c.tenantId,
      conversationId: c._id,
      channel,
      accountId: c.accountId,
      channelMessageId: out.id,
      direction: 'outbound',
      author: out.author,
      type: out.type ?? 'text',
      ...(out.text ? { text: out.text } : {}),
      attachments: (out.attachments ?? []).map(({ url, ...a }) => (a.storeId ? a : { ...a, url })),
      replyToMessageId: out.replyToMessageId,
      timestamp: at,
      ...(out.ai ? { ai: out.ai } : {}),
      ...(assignment ? { regionEpoch: assignment.epoch } : {}),
    });
    // Notices re-derived on every dispatcher tick stop here unless new: no per-tick work beyond the insert.
    if (out.onlyIfNew && !created) return message;
    const scoped = { tenantId: c.tenantId, region: c.region, channel, accountId: c.accountId, conversationId: c._id };
    await this.publisher.publish(
      outboundTopic(channel),
      createEvent({
        type: 'omni.message.send.v1',
        id: out.id,
        source: '/router',
        subject: c._id,
        tenantId: c.tenantId,
        region: c.region,
        data: {
          ...scoped,
          messageId: out.id,
          recipient: { channelUserId: c.channelUserId },
          author: out.author,
          message: { type: out.type ?? 'text', ...(out.text ? { text: out.text } : {}), attachments: out.attachments ?? [], ...(out.buttons ? { buttons: out.buttons } : {}) },
          ...(out.replyToMessageId ? { replyToMessageId: out.replyToMessageId } : {}),
          createdAt: message.timestamp.toISOString(),
          ...(out.context ? { context: out.context } : {}),
          ...(message.regionEpoch ? { fence: { region: this.regions.region, epoch: message.regionEpoch } } : {}),
        },
      }),
    );
    if (created) {
      await this.events.emit({ ...scoped, kind: 'message', state: c.state, messageId: out.id, direction: 'outbound', at: message.timestamp.toISOString() }, out.id);
    }
    return message;
  }
}
