import { randomBytes } from 'node:crypto';
import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject, filter } from 'rxjs';
import { ConversationEvent, TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle } from '@omni/messaging';

/**
 * Conversation changes for live clients (gRPC stream, SSE). Every router replica must see every
 * event, not a share of partitions, so each process reads omni.conversation.v1 in a group of its own
 * from the latest offset; clients get what happens after they connect.
 */
@Injectable()
export class ConversationFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly events = new Subject<ConversationEvent>();

  constructor(private readonly messaging: MessagingLifecycle) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: `router.live.${process.env.INSTANCE_ID ?? 'router'}.${randomBytes(4).toString('hex')}`,
      topics: [TOPICS.conversation],
      // A new group per boot: from the beginning it would replay every retained event to the clients
      // of each new process, as if it were happening now.
      fromBeginning: false,
      // Nobody reads this group's offsets again: committing them cost the broker a request a second.
      commitOffsets: false,
      // Not paced (fetchWaitMs): agents' screens follow every event as it happens. With a quarter second
      // of pacing the workspace e2e once lost its reply box's focus to a late live update.
      // Live fan-out only: a record it cannot parse is nobody's business but the DLQ's. With no
      // client listening there is nobody to tell: the record is not even validated (ADR 0011).
      handler: async (event) => {
        if (this.events.observed) this.events.next(parseEvent(event, 'omni.conversation.changed.v1').data);
      },
    });
  }

  onModuleDestroy(): void {
    this.events.complete();
  }

  of(tenantId: string, conversationId?: string): Observable<ConversationEvent> {
    return this.events.pipe(filter((e) => e.tenantId === tenantId && (!conversationId || e.conversationId === conversationId)));
  }
}
