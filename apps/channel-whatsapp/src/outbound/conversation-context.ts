import { Inject, Injectable } from '@nestjs/common';
import { OutboundCommand, RetryableError } from '@omni/contracts';
import { CONVERSATION_REPOSITORY, ConversationRepository, MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';

export interface SendContext {
  /** When the customer last wrote: opens the 24-hour window. */
  lastInboundAt?: Date;
  /** The conversation's language, for the template's language chain. */
  locale?: string;
  /** The provider's id (wamid) of the message being answered, when it is an inbound one. */
  replyToProviderId?: string;
}

/** The port the transport reads its window and quoting facts through (faked in unit tests). */
export interface SendContextReader {
  read(cmd: OutboundCommand): Promise<SendContext>;
}
export const SEND_CONTEXT = Symbol('SEND_CONTEXT');

/**
 * The window, language and quote of a send: from the command's `context` when the router gave it
 * (the bot's answers), else read (never written) from what the router stored — the conversation's
 * `lastInboundAt` and language, and the customer message a reply quotes (our message ids are not
 * wamids, so the quote needs the lookup).
 */
@Injectable()
export class StoredSendContext implements SendContextReader {
  constructor(
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
  ) {}

  async read(cmd: OutboundCommand): Promise<SendContext> {
    // The router passes what it knew (the bot's answers do): only what is missing is read back.
    const given = cmd.context;
    const needConversation = !given?.lastInboundAt;
    const needQuote = Boolean(cmd.replyToMessageId) && !given?.quotedChannelMessageId;
    try {
      const [conversation, quoted] = await Promise.all([
        needConversation ? this.conversations.get(cmd.conversationId) : Promise.resolve(null),
        needQuote && cmd.replyToMessageId ? this.messages.get(cmd.replyToMessageId) : Promise.resolve(null),
      ]);
      const quotable = quoted?.direction === 'inbound' && quoted.conversationId === cmd.conversationId;
      const lastInboundAt = given?.lastInboundAt ?? conversation?.lastInboundAt;
      return {
        lastInboundAt: lastInboundAt ? new Date(lastInboundAt) : undefined,
        locale: given?.locale ?? conversation?.language,
        replyToProviderId: given?.quotedChannelMessageId ?? (quotable ? quoted.channelMessageId : undefined),
      };
    } catch (err) {
      // A database hiccup must not turn into a permanently failed message.
      throw new RetryableError('store_unavailable', `conversation lookup failed: ${(err as Error).message}`);
    }
  }
}
