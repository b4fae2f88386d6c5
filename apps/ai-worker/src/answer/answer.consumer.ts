import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CloudEvent, TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle, freshLane } from '@omni/messaging';
import { AI_WORKER_CONFIG, type AiWorkerConfig } from '../config';
import { AnswerMessageUseCase } from './answer-message.use-case';

@Injectable()
export class AnswerConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    @Inject(AI_WORKER_CONFIG) private readonly config: AiWorkerConfig,
    private readonly answer: AnswerMessageUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'ai-worker',
      topics: [TOPICS.aiRequest],
      // Conversations at once, each in order: a slow provider call holds only its own conversation (ADR 0011).
      keyConcurrency: this.config.AI_WORKER_CONVERSATIONS_AT_ONCE,
      // A newcomer's request is not starved by a backlog of requests (ADR 0012): only the requests of
      // what the router marked (else the backlog's own conversations would fill it), the latest
      // customer message first — not the latest to get here.
      freshLane: freshLane(this.config.AI_WORKER_FRESH_LANE_CAPACITY, this.config.AI_WORKER_CONVERSATIONS_AT_ONCE, isFreshRequest, freshRequestRank),
      handler: (event) => this.answer.execute(parseEvent(event, 'omni.ai.requested.v1')),
    });
  }
}

/** A request for a newcomer's message: the router marked it (`ce_freshat`, ADR 0012), readable even when its data is sealed. */
export function isFreshRequest(event: CloudEvent<unknown>): boolean {
  return event.freshat !== undefined;
}

/** When the customer's message arrived (the fresh lane serves the latest first, ADR 0012). */
export function freshRequestRank(event: CloudEvent<unknown>): number | undefined {
  return event.freshat ? Date.parse(event.freshat) : undefined;
}
