import { Inject, Injectable } from '@nestjs/common';
import { AiResult, Channel, CloudEvent, createEvent, derivedId, outboundTopic } from '@omni/contracts';
import { EventPublisher } from '@omni/messaging';
import { CONVERSATION_REPOSITORY, ConversationRepository, MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';
import { ConversationEvents } from '../conversations/conversation-events';

/**
 * Turns an AI result into the bot's reply while the bot still owns the conversation. The reply's id
 * is derived from the inbound message, so a redelivered result stores one reply and re-sends the
 * same command (the channel dedupes on messageId) instead of answering twice.
 */
@Injectable()
export class SendBotReplyUseCase {
  constructor(
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    private readonly publisher: EventPublisher,
    private readonly events: ConversationEvents,
  ) {}

  async execute(event: CloudEvent<AiResult>): Promise<void> {
    const r = event.data;
    const conversation = await this.conversations.get(r.conversationId);
    const inbound = await this.messages.get(r.messageId);
    if (!conversation || !inbound) throw new Error(`AI result for unknown message ${r.messageId}`); // retryable: ordering across topics
    await this.messages.attachAi(r.messageId, {
      language: r.language, intent: r.intent, entities: r.entities, sentiment: r.sentiment, abstained: r.abstained, engine: r.engine,
    });
    if (r.language && r.language !== conversation.language) await this.conversations.setLanguage(r.conversationId, r.language);
    // Exactly one owner: once a human owns the conversation the bot stays silent.
    if (conversation.state !== 'bot' || !r.answer) return;

    const replyId = derivedId(r.messageId, 'bot-reply');
    const now = new Date();
    const { message: reply, created } = await this.messages.insert({
      _id: replyId,
      tenantId: r.tenantId,
      conversationId: r.conversationId,
      channel: r.channel,
      accountId: r.accountId,
      channelMessageId: replyId,
      direction: 'outbound',
      author: { kind: 'bot', id: r.engine },
      type: 'text',
      text: r.answer.text,
      attachments: [],
      replyToMessageId: r.messageId,
      timestamp: now,
    });
    if (reply.dispatchedAt) return;
    const scoped = { tenantId: r.tenantId, region: r.region, channel: r.channel, accountId: r.accountId, conversationId: r.conversationId };
    await this.publisher.publish(
      outboundTopic(r.channel as Channel),
      createEvent({
        type: 'omni.message.send.v1',
        id: replyId,
        source: '/router',
        subject: r.conversationId,
        tenantId: r.tenantId,
        region: r.region,
        data: {
          ...scoped,
          messageId: replyId,
          recipient: { channelUserId: conversation.channelUserId },
          author: { kind: 'bot', id: r.engine },
          message: { type: 'text', text: r.answer.text, attachments: [] },
          replyToMessageId: r.messageId,
          createdAt: reply.timestamp.toISOString(),
        },
      }),
    );
    await this.messages.markDispatched(replyId, new Date());
    if (created) {
      await this.events.emit({ ...scoped, kind: 'message', state: conversation.state, messageId: replyId, direction: 'outbound', at: now.toISOString() }, replyId);
    }
  }
}
