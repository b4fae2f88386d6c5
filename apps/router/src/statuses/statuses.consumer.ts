import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle } from '@omni/messaging';
import { ApplyStatusUseCase } from './apply-status.use-case';

@Injectable()
export class StatusesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    private readonly apply: ApplyStatusUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'router.statuses',
      topics: [TOPICS.status],
      handler: (event) => this.apply.execute(parseEvent(event, 'omni.message.status.v1')),
    });
  }
}
