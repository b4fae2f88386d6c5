import { Injectable } from '@nestjs/common';
import { AiOutcome, TOPICS, createEvent, derivedId } from '@omni/contracts';
import { EventPublisher, beforeCommit } from '@omni/messaging';

type Scope = Pick<AiOutcome, 'tenantId' | 'region' | 'channel' | 'accountId' | 'conversationId'>;

/**
 * Tells the AI worker what became of its predictions (omni.ai.outcome.v1), so its prediction log
 * holds the outcome next to the prediction (ADR 0104). Event ids derive from the message the outcome
 * is about, so a redelivered cause re-produces the same event and the worker's `$set` is idempotent.
 */
@Injectable()
export class AiOutcomes {
  constructor(private readonly publisher: EventPublisher) {}

  /** The bot's answer to `messageId` went to the customer. */
  answered(scope: Scope, messageId: string, at: Date): Promise<void> {
    return this.publish({ ...scope, outcome: 'answered', messageId, reasons: [], at: at.toISOString() }, messageId);
  }

  /** The prediction for `messageId` ended in a handoff, for these policy reason codes. */
  handedOff(scope: Scope, messageId: string, reasons: readonly string[], at: Date): Promise<void> {
    const codes = [...new Set(reasons)].slice(0, 10).map((c) => c.slice(0, 64));
    return this.publish({ ...scope, outcome: 'handed_off', messageId, reasons: codes, at: at.toISOString() }, messageId);
  }

  /**
   * The customer's verdict on the answer to `messageId` (a 👍/👎 reaction to it). The event's identity
   * is the reaction (`reactionId`), so changing one's mind (👍 then 👎) is two events, the last kept.
   */
  thumbs(scope: Scope, messageId: string, verdict: 'up' | 'down', reactionId: string, at: Date): Promise<void> {
    const outcome = verdict === 'up' ? 'thumbs_up' : 'thumbs_down';
    return this.publish({ ...scope, outcome, messageId, reasons: [], at: at.toISOString() }, reactionId);
  }

  /**
   * An agent's correction of the intent of `messageId`, with the customer's text when it should
   * become a training example. One event per message, label and choice (a retry is the same event).
   */
  corrected(scope: Scope, messageId: string, label: string, exampleText: string | undefined, at: Date): Promise<void> {
    const key = `${messageId}:${label}:${exampleText === undefined ? 'label' : 'train'}`;
    return this.publish({ ...scope, outcome: 'corrected', messageId, label, reasons: [], ...(exampleText === undefined ? {} : { example: { text: exampleText } }), at: at.toISOString() }, key);
  }

  /** The customer rated the conversation (`ratingMessageId`: the inbound rating, the event's identity). */
  rated(scope: Scope, ratingMessageId: string, score: number, at: Date): Promise<void> {
    return this.publish({ ...scope, outcome: 'csat', score, reasons: [], at: at.toISOString() }, ratingMessageId);
  }

  /** Awaited before the handler's record is done, not on its path (beforeCommit, ADR 0011's seventh step). */
  private async publish(data: AiOutcome, key: string): Promise<void> {
    await beforeCommit(this.publisher.publish(
      TOPICS.aiOutcome,
      createEvent({
        type: 'omni.ai.outcome.v1',
        id: derivedId(key, `ai-outcome-${data.outcome}`),
        source: '/router',
        subject: data.conversationId,
        tenantId: data.tenantId,
        region: data.region,
        data,
      }),
    ));
  }
}
