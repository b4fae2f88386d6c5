import { Inject, Injectable } from '@nestjs/common';
import { AiRequest, CloudEvent, TOPICS, createEvent, derivedId } from '@omni/contracts';
import { EventPublisher } from '@omni/messaging';
import { PredictionLog } from '../nlu/prediction-log';
import { ANSWERER, Answerer } from './answerer.port';

/** Understands one inbound message, publishes the result and records the prediction. Deterministic in id. */
@Injectable()
export class AnswerMessageUseCase {
  constructor(
    @Inject(ANSWERER) private readonly answerer: Answerer,
    private readonly publisher: EventPublisher,
    private readonly predictions: PredictionLog,
  ) {}

  async execute(event: CloudEvent<AiRequest>): Promise<void> {
    const req = event.data;
    const understanding = await this.answerer.understand(req);
    const result = createEvent({
      type: 'omni.ai.completed.v1',
      // Same request → same result id, so a redelivered request is deduped downstream.
      id: derivedId(req.messageId, 'ai-result'),
      source: '/ai-worker',
      subject: req.conversationId,
      tenantId: req.tenantId,
      region: req.region,
      data: {
        tenantId: req.tenantId, region: req.region, channel: req.channel, accountId: req.accountId,
        conversationId: req.conversationId, messageId: req.messageId, ...understanding,
        // The router's facts go back with the answer: its reply step reads nothing back (ADR 0011).
        ...(req.conversation ? { request: { conversation: req.conversation, text: req.text } } : {}),
      },
    });
    // Recorded before it is published: the router's outcome of this prediction then always finds it.
    await this.predictions.record(result.data);
    // A newcomer's mark goes on with it: the reply step's fresh lane reads it (ADR 0012).
    await this.publisher.publish(TOPICS.aiResult, event.freshat ? { ...result, freshat: event.freshat } : result);
  }
}
