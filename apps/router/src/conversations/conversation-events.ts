import { Injectable } from '@nestjs/common';
import { ConversationEvent, TOPICS, createEvent, derivedId } from '@omni/contracts';
import { EventPublisher, beforeCommit } from '@omni/messaging';

/**
 * Publishes conversation changes for agent UIs and analytics (omni.conversation.v1). Inside a
 * consumer's handler the event is awaited before the record is done, not on the handler's path
 * (beforeCommit: the next store command or Kafka hop does not wait for its acknowledgement).
 */
@Injectable()
export class ConversationEvents {
  constructor(private readonly publisher: EventPublisher) {}

  async emit(data: ConversationEvent, dedupeKey: string): Promise<void> {
    await beforeCommit(this.publisher.publish(
      TOPICS.conversation,
      createEvent({
        type: 'omni.conversation.changed.v1',
        id: derivedId(dedupeKey, `conversation-${data.kind}`),
        source: '/router',
        subject: data.conversationId,
        tenantId: data.tenantId,
        region: data.region,
        data,
      }),
    ));
  }
}
