import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle } from '@omni/messaging';
import { AnswerMessageUseCase } from './answer-message.use-case';

@Injectable()
export class AnswerConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    private readonly answer: AnswerMessageUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'ai-worker',
      topics: [TOPICS.aiRequest],
      handler: (event) => this.answer.execute(parseEvent(event, 'omni.ai.requested.v1')),
    });
  }
}
