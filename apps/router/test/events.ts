import { AiResult, TOPICS, channelEventId, conversationId, createEvent } from '@omni/contracts';
import type { KafkaHarness } from './kafka-harness';

export const TENANT = 'default';
const base = { region: 'local', channel: 'web' as const, accountId: 'web-default' };

/** A web-chat customer of the suite, who writes messages and gets AI results made up by the test. */
export class FakeCustomer {
  readonly conversationId: string;
  private n = 0;
  private readonly scope: typeof base & { tenantId: string };

  constructor(private readonly kafka: KafkaHarness, readonly userId: string, private readonly locale = 'en', readonly tenantId = TENANT) {
    this.scope = { ...base, tenantId };
    this.conversationId = conversationId(tenantId, 'web', base.accountId, userId);
  }

  /** Produces an inbound message as channel-web would; returns its event id (= the stored message id). */
  async say(text: string): Promise<string> {
    const channelMessageId = `${this.userId}-m${++this.n}`;
    const id = channelEventId('web', `${this.tenantId}:${base.accountId}`, channelMessageId);
    await this.kafka.publish(TOPICS.inbound, createEvent({
      type: 'omni.message.received.v1', id, source: '/channels/web/web-default', subject: this.conversationId, tenantId: this.tenantId, region: 'local',
      data: {
        ...this.scope, conversationId: this.conversationId,
        customer: { channelUserId: this.userId, locale: this.locale },
        message: { channelMessageId, direction: 'inbound', type: 'text', text, attachments: [], timestamp: new Date().toISOString() },
      },
    }));
    return id;
  }

  /** Produces the AI worker's result for one message. */
  async understood(messageId: string, ai: Partial<Pick<AiResult, 'intent' | 'answer' | 'abstained' | 'sentiment' | 'language'>>): Promise<void> {
    await this.kafka.publish(TOPICS.aiResult, createEvent({
      type: 'omni.ai.completed.v1', id: `${messageId}-ai`, source: '/ai-worker', subject: this.conversationId, tenantId: this.tenantId, region: 'local',
      data: {
        ...this.scope, conversationId: this.conversationId, messageId,
        language: this.locale, intent: null, alternatives: [], entities: [], answer: null, abstained: false, reasons: [], engine: 'test', ...ai,
      },
    }));
  }
}
