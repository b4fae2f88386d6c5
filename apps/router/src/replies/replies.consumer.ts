import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CloudEvent, TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle, freshLane } from '@omni/messaging';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { RecentTurns } from './recent-turns';
import { SendBotReplyUseCase } from './send-bot-reply.use-case';

@Injectable()
export class RepliesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly reply: SendBotReplyUseCase,
    private readonly turns: RecentTurns,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'router.ai-results',
      topics: [TOPICS.aiResult],
      // Conversations at once, each in order: one slow conversation (a connector call, a slow write)
      // no longer holds every other conversation of its partition (ADR 0011).
      keyConcurrency: this.config.ROUTER_CONVERSATIONS_AT_ONCE,
      // A newcomer is not starved by a backlog: handled as it arrives, out of the backlog's turn (ADR 0012).
      // Only the results of what the inbound step marked (the AI request said so), the latest customer
      // message first — not the latest to get here.
      freshLane: freshLane(this.config.ROUTER_FRESH_LANE_CAPACITY, this.config.ROUTER_CONVERSATIONS_AT_ONCE, isFreshResult, freshResultRank),
      handler: (event) => this.reply.execute(parseEvent(event, 'omni.ai.completed.v1')),
      // The partitions may have been another member's meanwhile: its turns are not in this copy.
      onJoin: () => this.turns.reset(),
    });
  }
}

/** A result for a newcomer's message: the inbound step marked it (`ce_freshat`, ADR 0012), readable even when its data is sealed. */
export function isFreshResult(event: CloudEvent<unknown>): boolean {
  return event.freshat !== undefined;
}

/** When the customer's message arrived (the fresh lane serves the latest first, ADR 0012). */
export function freshResultRank(event: CloudEvent<unknown>): number | undefined {
  return event.freshat ? Date.parse(event.freshat) : undefined;
}
