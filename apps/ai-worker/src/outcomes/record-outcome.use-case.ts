import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AiOutcome, CloudEvent } from '@omni/contracts';
import { NLU_PREDICTION_REPOSITORY, NluPredictionRepository } from '@omni/persistence';
import { TenantModels } from '../nlu/tenant-models';
import { AddExamplesUseCase } from '../tenant-data/add-examples.use-case';

/**
 * Writes what the router did with a prediction (answered, handed off with its reasons, the
 * conversation's CSAT rating, the customer's thumbs, an agent's correction) onto the prediction log,
 * joined by the inbound message id. Every write is a `$set` of the same values, so a redelivered
 * event changes nothing. The worker records a prediction before it publishes the result, so an
 * outcome finds its prediction unless that write failed (logged then): such an outcome is logged and
 * dropped, not retried (it can never match).
 */
@Injectable()
export class RecordOutcomeUseCase {
  private readonly logger = new Logger(RecordOutcomeUseCase.name);

  constructor(
    @Inject(NLU_PREDICTION_REPOSITORY) private readonly predictions: NluPredictionRepository,
    private readonly models: TenantModels,
    private readonly examples: AddExamplesUseCase,
  ) {}

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
    if (o.outcome === 'corrected') return this.corrected(o, messageId, at, event.id);
    const result = await this.predictions.outcome(o.tenantId, messageId, { outcome: o.outcome, reasons: o.reasons, ...(o.label ? { label: o.label } : {}) }, at);
    if (result === 'missing') this.logger.warn({ messageId, outcome: o.outcome, eventId: event.id }, 'outcome for a prediction that was not recorded; dropped');
  }

  /**
   * An agent's correction: the right intent becomes the prediction's label (the report's accuracy
   * and confusion pairs), whatever became of it. With an example, the customer's text — entities
   * masked as the classifier sees them, so order numbers, emails and phone numbers never enter the
   * training data — is added to the tenant's data and the model retrained, when the label is one of
   * the model's intents (a new intent needs its KB article: that is an upload, not a correction).
   */
  private async corrected(o: AiOutcome, messageId: string, at: Date, eventId: string): Promise<void> {
    const label = o.label ?? '';
    const found = await this.predictions.feedback(o.tenantId, messageId, { label }, at);
    if (!found) this.logger.warn({ messageId, eventId }, 'correction for a prediction that was not recorded; the label is not kept');
    if (!o.example) return;
    const model = await this.models.forTenant(o.tenantId);
    if (!model?.engine.labels.includes(label)) {
      this.logger.warn({ messageId, eventId, label }, 'corrected label is not an intent of the tenant’s model: not added to the training data');
      return;
    }
    const analysis = model.engine.analyze(o.example.text);
    const version = await this.examples.execute(o.tenantId, [{ text: analysis.maskedText, label, lang: analysis.language, conversationId: o.conversationId }], 'agent-correction');
    this.logger.log({ messageId, eventId, label, version: version?.version ?? 'unchanged' }, 'agent correction added to the training data');
  }
}
