import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, parseEvent } from '@omni/contracts';
import { MessagingLifecycle } from '@omni/messaging';
import { RecordOutcomeUseCase } from './record-outcome.use-case';

/**
 * The router's outcomes of predictions, into the prediction log (its own group: answering never waits
 * for it). Several conversations at once within a partition, each in order: a correction that
 * retrains a tenant's model (seconds to a minute) holds only its own conversation, and the batch
 * path heartbeats while it runs, so the group does not evict the worker meanwhile.
 */
const OUTCOME_KEY_CONCURRENCY = 4;

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
      keyConcurrency: OUTCOME_KEY_CONCURRENCY,
      // Off the answer's path: one fetch per quarter second at most instead of one per outcome.
      fetchWaitMs: 250,
      handler: (event) => this.record.execute(parseEvent(event, 'omni.ai.outcome.v1')),
    });
  }
}
