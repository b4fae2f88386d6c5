import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle } from '@omni/messaging';
import { RecordOutcomeUseCase } from './record-outcome.use-case';

/** The router's outcomes of predictions, into the prediction log (its own group: answering never waits for it). */
@Injectable()
export class OutcomesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    private readonly record: RecordOutcomeUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'ai-worker.outcomes',
      topics: [TOPICS.aiOutcome],
      handler: (event) => this.record.execute(parseEvent(event, 'omni.ai.outcome.v1')),
    });
  }
}
