import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle } from '@omni/messaging';
import { SendBotReplyUseCase } from './send-bot-reply.use-case';

@Injectable()
export class RepliesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    private readonly reply: SendBotReplyUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'router.ai-results',
      topics: [TOPICS.aiResult],
      handler: (event) => this.reply.execute(parseEvent(event, 'omni.ai.completed.v1')),
    });
  }
}
