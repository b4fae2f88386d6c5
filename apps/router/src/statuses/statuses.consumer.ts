import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle } from '@omni/messaging';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { ApplyStatusUseCase } from './apply-status.use-case';

@Injectable()
export class StatusesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly apply: ApplyStatusUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'router.statuses',
      topics: [TOPICS.status],
      // Conversations at once, each in order: one slow conversation (a connector call, a slow write)
      // no longer holds every other conversation of its partition (ADR 0011).
      keyConcurrency: this.config.ROUTER_CONVERSATIONS_AT_ONCE,
      // Ticks (sent, delivered, read) are not on the answer's path: one fetch per quarter second at
      // most instead of one per status (ADR 0011, eighth step).
      fetchWaitMs: 250,
      handler: (event) => this.apply.execute(parseEvent(event, 'omni.message.status.v1')),
    });
  }
}
