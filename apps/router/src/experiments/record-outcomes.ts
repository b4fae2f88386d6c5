import { Inject, Injectable } from '@nestjs/common';
import { ConversationDoc, EXPERIMENT_OUTCOME_REPOSITORY, ExperimentOutcomeRepository, OWNERSHIP_REPOSITORY, OwnershipRepository } from '@omni/persistence';

/**
 * Records each experiment's outcome of a conversation at its first resolution: contained (never
 * queued or assigned), time to resolution, and later the CSAT rating. One insert per (experiment,
 * conversation), so a retried resolve or a reopen-and-resolve never counts twice.
 */
@Injectable()
export class RecordOutcomes {
  constructor(
    @Inject(EXPERIMENT_OUTCOME_REPOSITORY) private readonly outcomes: ExperimentOutcomeRepository,
    @Inject(OWNERSHIP_REPOSITORY) private readonly ownership: OwnershipRepository,
  ) {}

  async resolved(c: ConversationDoc, at: Date): Promise<void> {
    if (!c.experiments?.length) return;
    const log = await this.ownership.ofConversations([c._id]);
    const handedOff = log.some((e) => e.state === 'queued' || e.state === 'assigned');
    for (const e of c.experiments) {
      await this.outcomes.record({
        tenantId: c.tenantId, experimentId: e.experimentId, variantId: e.variantId, conversationId: c._id, customerId: c.customerId,
        startedAt: c.createdAt, endedAt: at, handedOff,
      });
    }
  }

  async rated(c: ConversationDoc, score: number): Promise<void> {
    if (c.experiments?.length) await this.outcomes.setCsat(c._id, score);
  }
}
