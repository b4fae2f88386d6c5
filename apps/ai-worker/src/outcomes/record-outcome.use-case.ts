import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AiOutcome, CloudEvent } from '@omni/contracts';
import { NLU_PREDICTION_REPOSITORY, NluPredictionRepository } from '@omni/persistence';

/**
 * Writes what the router did with a prediction (answered, handed off with its reasons, the
 * conversation's CSAT rating) onto the prediction log, joined by the inbound message id. Every write
 * is a `$set` of the same values, so a redelivered event changes nothing. The worker records a
 * prediction before it publishes the result, so an outcome finds its prediction unless that write
 * failed (logged then): such an outcome is logged and dropped, not retried (it can never match).
 */
@Injectable()
export class RecordOutcomeUseCase {
  private readonly logger = new Logger(RecordOutcomeUseCase.name);

  constructor(@Inject(NLU_PREDICTION_REPOSITORY) private readonly predictions: NluPredictionRepository) {}

  async execute(event: CloudEvent<AiOutcome>): Promise<void> {
    const o = event.data;
    const at = new Date(o.at);
    if (o.outcome === 'csat') {
      // The schema guarantees the score of a csat outcome.
      const rated = await this.predictions.rateConversation(o.tenantId, o.conversationId, o.score ?? 0, at);
      if (!rated) this.logger.debug({ conversationId: o.conversationId, eventId: event.id }, 'CSAT for a conversation without predictions');
      return;
    }
    const messageId = o.messageId ?? '';
    const result = await this.predictions.outcome(o.tenantId, messageId, { outcome: o.outcome, reasons: o.reasons, ...(o.label ? { label: o.label } : {}) }, at);
    if (result === 'missing') this.logger.warn({ messageId, outcome: o.outcome, eventId: event.id }, 'outcome for a prediction that was not recorded; dropped');
  }
}
