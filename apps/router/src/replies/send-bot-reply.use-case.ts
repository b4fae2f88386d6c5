import { Inject, Injectable } from '@nestjs/common';
import { AiResult, CloudEvent, createEvent, derivedId, outboundTopic } from '@omni/contracts';
import { EventPublisher } from '@omni/messaging';
import { CONVERSATION_REPOSITORY, ConversationRepository, MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';
import { ConversationEvents } from '../conversations/conversation-events';

/**
 * Turns an AI result into the bot's reply while the bot still owns the conversation. The reply's id
 * is derived from the inbound message, so a redelivered result stores one reply and re-publishes the
 * same command (channels dedupe on messageId, the send's idempotency key) instead of answering twice.
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
    if (!conversation) throw new Error(`AI result for unknown conversation ${r.conversationId}`); // retryable: ordering across topics
    const ai = { language: r.language, intent: r.intent, entities: r.entities, sentiment: r.sentiment, abstained: r.abstained, engine: r.engine };
    if (r.language && r.language !== conversation.language) await this.conversations.setLanguage(r.conversationId, r.language);
    // Exactly one owner: once a human owns the conversation the bot stays silent.
    if (conversation.state !== 'bot' || !r.answer) {
      await this.messages.attachAi(r.messageId, ai);
      return;
    }

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
      // What the bot understood travels with its answer: one write instead of two.
      ai,
    });
    const scoped = { tenantId: r.tenantId, region: r.region, channel: r.channel, accountId: r.accountId, conversationId: r.conversationId };
    await this.publisher.publish(
      outboundTopic(r.channel),
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
    if (created) {
      await this.events.emit({ ...scoped, kind: 'message', state: conversation.state, messageId: replyId, direction: 'outbound', at: now.toISOString() }, replyId);
    }
  }
}
