import { Injectable } from '@nestjs/common';
import { InboundMessage, derivedId } from '@omni/contracts';
import type { ConversationDoc, ConversationExperiment } from '@omni/persistence';
import { variantGreeting } from '@omni/routing';
import { CustomerMessages } from '../conversations/customer-messages';
import { CustomerIdentities } from '../customers/customer-identities';
import { FlowExperiments, flowParams } from '../experiments/flow-experiments';

/** What happens once when a conversation opens: flow variants, the variant's greeting, identity linking. */
@Injectable()
export class ConversationOpening {
  constructor(
    private readonly experiments: FlowExperiments,
    private readonly customer: CustomerMessages,
    private readonly identities: CustomerIdentities,
  ) {}

  experimentsFor(tenantId: string, customerId: string): Promise<ConversationExperiment[]> {
    return this.experiments.assign(tenantId, customerId);
  }

  /** Idempotent (derived ids, inserts on unique keys): safe on a redelivered first message. */
  async opened(c: ConversationDoc, m: InboundMessage, messageId: string): Promise<void> {
    await this.identities.identified(c.tenantId, c.customerId, m.channel, m.customer.channelUserId, m.message.meta);
    const greeting = variantGreeting(flowParams(c), m.customer.locale);
    if (greeting) {
      await this.customer.send(c, { id: welcomeId(c._id), text: greeting, author: { kind: 'bot', id: 'flow' }, replyToMessageId: messageId });
    }
  }
}

/** One welcome per conversation (it answers the first message); the bot's own greeting to that message stays silent. */
export function welcomeId(conversationId: string): string {
  return derivedId(conversationId, 'welcome');
}
