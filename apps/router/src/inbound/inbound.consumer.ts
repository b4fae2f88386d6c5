import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle } from '@omni/messaging';
import { ReceiveInboundUseCase } from './receive-inbound.use-case';

@Injectable()
export class InboundConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    private readonly receive: ReceiveInboundUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'router.inbound',
      topics: [TOPICS.inbound],
      handler: (event) => this.receive.execute(parseEvent(event, 'omni.message.received.v1')),
    });
  }
}
