import { Injectable } from '@nestjs/common';
import { ConversationEvent, TOPICS, createEvent, derivedId } from '@omni/contracts';
import { EventPublisher } from '@omni/messaging';

/** Publishes conversation changes for agent UIs and analytics (omni.conversation.v1). */
@Injectable()
export class ConversationEvents {
  constructor(private readonly publisher: EventPublisher) {}

  async emit(data: ConversationEvent, dedupeKey: string): Promise<void> {
    await this.publisher.publish(
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
    );
  }
}
