import { Inject, Injectable } from '@nestjs/common';
import { OutboundCommand, RetryableError } from '@omni/contracts';
import { CONVERSATION_REPOSITORY, ConversationRepository } from '@omni/persistence';

/** The port the transport reads the customer's last message time through (faked in unit tests). */
export interface LastInboundReader {
  lastInboundAt(cmd: OutboundCommand): Promise<Date | undefined>;
}
export const LAST_INBOUND = Symbol('LAST_INBOUND');

/** Reads (never writes) `conversations.lastInboundAt`, which the router keeps: it opens the window. */
@Injectable()
export class StoredLastInbound implements LastInboundReader {
  constructor(@Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository) {}

  async lastInboundAt(cmd: OutboundCommand): Promise<Date | undefined> {
    try {
      const c = await this.conversations.get(cmd.conversationId);
      return c?.lastInboundAt ? new Date(c.lastInboundAt) : undefined;
    } catch (err) {
      // A database hiccup must not turn into a permanently failed message.
      throw new RetryableError('store_unavailable', `conversation lookup failed: ${(err as Error).message}`);
    }
  }
}
