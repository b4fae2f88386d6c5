import { Inject, Injectable } from '@nestjs/common';
import { OutboundCommand, RetryableError } from '@omni/contracts';
import { MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';

/** The port the transport finds the Telegram message a reply quotes through (faked in unit tests). */
export interface ReplyTargets {
  /** `<chat id>:<message id>` of the customer message `cmd.replyToMessageId` names, if quotable. */
  providerIdOf(cmd: OutboundCommand): Promise<string | undefined>;
}
export const REPLY_TARGETS = Symbol('REPLY_TARGETS');

/**
 * The router names the message answered by OUR id (a hash), while Telegram quotes by its own
 * message_id: the stored inbound message (read-only here) carries it as channelMessageId.
 */
@Injectable()
export class StoredReplyTargets implements ReplyTargets {
  constructor(@Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository) {}

  async providerIdOf(cmd: OutboundCommand): Promise<string | undefined> {
    if (!cmd.replyToMessageId) return undefined;
    try {
      const quoted = await this.messages.get(cmd.replyToMessageId);
      const quotable = quoted?.direction === 'inbound' && quoted.conversationId === cmd.conversationId;
      // Edits are stored as `<chat>:<message>:edit:<date>` and callbacks as `callback:<id>`: quote the message itself.
      const m = quotable ? /^(-?\d+):(\d+)/.exec(quoted.channelMessageId) : null;
      return m ? `${m[1]}:${m[2]}` : undefined;
    } catch (err) {
      // A database hiccup must not turn into a permanently failed message.
      throw new RetryableError('store_unavailable', `quoted message lookup failed: ${(err as Error).message}`);
    }
  }
}
