import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AiResult } from '@omni/contracts';
import { NLU_PREDICTION_REPOSITORY, NluPredictionRepository } from '@omni/persistence';

/**
 * Records every prediction once (keyed by the inbound message id), for the accuracy report. A
 * failed write is logged, not retried: the customer's answer matters more than a statistic.
 */
@Injectable()
export class PredictionLog {
  private readonly logger = new Logger(PredictionLog.name);

  constructor(@Inject(NLU_PREDICTION_REPOSITORY) private readonly predictions: NluPredictionRepository) {}

  async record(r: AiResult, at = new Date()): Promise<void> {
    // When the engine abstained its best guess leads the alternatives (see toUnderstanding).
    const top = r.intent ?? r.alternatives[0] ?? null;
    try {
      await this.predictions.record({
        _id: r.messageId,
        tenantId: r.tenantId,
        conversationId: r.conversationId,
        language: r.language,
        intent: top?.name ?? null,
        confidence: top?.confidence ?? 0,
        abstained: r.abstained,
        alternatives: r.alternatives.map((a) => ({ name: a.name, confidence: a.confidence })),
        model: r.engine,
        at,
      });
    } catch (err) {
      this.logger.warn({ messageId: r.messageId, err: err instanceof Error ? err.message : String(err) }, 'prediction not recorded');
    }
  }
}
