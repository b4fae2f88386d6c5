import { Inject, Injectable } from '@nestjs/common';
import { Channel, InboundMessage, derivedId } from '@omni/contracts';
import { CONVERSATION_REPOSITORY, ConversationDoc, ConversationRepository } from '@omni/persistence';
import { Ownership, csatThanks, parseCsatReply, transition } from '@omni/routing';
import { AiOutcomes } from '../conversations/ai-outcomes';
import { CustomerMessages } from '../conversations/customer-messages';
import { OwnershipStore } from '../conversations/ownership.store';
import { RecordOutcomes } from '../experiments/record-outcomes';

/**
 * A customer writing to a resolved conversation: a lone rating ("5", "4/5", "⭐⭐⭐") answers the
 * CSAT prompt and is recorded without reopening; anything else reopens it to the bot.
 */
@Injectable()
export class AfterResolution {
  constructor(
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    private readonly ownership: OwnershipStore,
    private readonly customer: CustomerMessages,
    private readonly outcomes: RecordOutcomes,
    private readonly aiOutcomes: AiOutcomes,
  ) {}

  /** The ownership after handling: still resolved (a rating) or the reopened bot. */
  async handle(c: ConversationDoc, owner: Extract<Ownership, { state: 'resolved' }>, messageId: string, m: InboundMessage): Promise<Ownership> {
    const at = new Date(m.message.timestamp);
    const reply = m.message.interactive?.id ?? m.message.text;
    const score = reply ? parseCsatReply(reply) : undefined;
    if (score !== undefined) {
      await this.conversations.recordCsat(c._id, score, at);
      await this.outcomes.rated(c, score);
      // The bot's predictions in this conversation learn the rating too (the NLU report's CSAT figures).
      await this.aiOutcomes.rated({ tenantId: c.tenantId, region: c.region, channel: c.channel as Channel, accountId: c.accountId, conversationId: c._id }, messageId, score, at);
      await this.customer.send(c, { id: derivedId(messageId, 'csat-thanks'), text: csatThanks(c.language ?? m.customer.locale), author: { kind: 'system' }, replyToMessageId: messageId });
      return owner;
    }
    const next = transition(owner, { type: 'customer_message', at });
    if (!next.ok) return owner;
    const claimed = await this.ownership.commit(c, next.state, { cause: messageId }, at);
    // Lost the claim: something else reopened it; the log now says who owns it.
    return claimed ? next.state : (await this.ownership.current(c)).ownership;
  }
}
