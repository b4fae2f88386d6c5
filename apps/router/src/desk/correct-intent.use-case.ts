import { Inject, Injectable } from '@nestjs/common';
import { Channel, NotFoundError, ValidationError } from '@omni/contracts';
import { MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';
import { AiOutcomes } from '../conversations/ai-outcomes';
import { ConversationLookup } from './conversation-lookup';

export interface IntentCorrection {
  readonly messageId: string;
  readonly label: string;
  readonly train: boolean;
}

/**
 * An agent saying what a customer's message really meant: the label goes to the AI worker's
 * prediction log (the report's accuracy and confusion pairs), and with `train` the message's text
 * becomes a training example of that intent (the worker masks its entities and retrains). Sent as an
 * `omni.ai.outcome.v1` `corrected` event whose id derives from message, label and `train`, so a
 * retried request is one event; a later, different correction is another, and the last one wins.
 */
@Injectable()
export class CorrectIntentUseCase {
  constructor(
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    private readonly lookup: ConversationLookup,
    private readonly outcomes: AiOutcomes,
  ) {}

  async execute(tenantId: string, conversationId: string, messageId: string, input: { label: string; train: boolean }): Promise<IntentCorrection> {
    const c = await this.lookup.find(tenantId, conversationId);
    const m = await this.messages.get(messageId);
    if (!m || m.conversationId !== c._id) throw new NotFoundError(`message ${messageId} in conversation ${conversationId}`);
    if (m.direction !== 'inbound' || m.author.kind !== 'customer') {
      throw new ValidationError('only a customer’s message has an intent to correct', [{ path: 'messageId', message: `message ${messageId} is the ${m.author.kind}’s` }]);
    }
    const text = m.text?.trim();
    if (input.train && !text) {
      throw new ValidationError('the message has no text to train on', [{ path: 'train', message: m.redactedAt ? 'its text was erased' : `a ${m.type} message without text` }]);
    }
    const scope = { tenantId, region: c.region, channel: c.channel as Channel, accountId: c.accountId, conversationId: c._id };
    await this.outcomes.corrected(scope, messageId, input.label, input.train && text ? text.slice(0, 2000) : undefined, new Date());
    return { messageId, label: input.label, train: input.train };
  }
}
