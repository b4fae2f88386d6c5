import { AiResult, Attachment, Channel, TOPICS, channelEventId, conversationId, createEvent } from '@omni/contracts';
import type { KafkaHarness } from './kafka-harness';

export const TENANT = 'default';

/** A customer of the suite (web chat unless told), who writes messages and gets AI results made up by the test. */
export class FakeCustomer {
  readonly conversationId: string;
  private n = 0;
  private readonly scope: { region: string; channel: Channel; accountId: string; tenantId: string };

  constructor(
    private readonly kafka: KafkaHarness,
    readonly userId: string,
    private readonly locale = 'en',
    readonly tenantId = TENANT,
    readonly channel: Channel = 'web',
  ) {
    this.scope = { region: 'local', channel, accountId: `${channel}-default`, tenantId };
    this.conversationId = conversationId(tenantId, channel, this.scope.accountId, userId);
  }

  /** Produces an inbound message as the channel app would; returns its event id (= the stored message id). */
  async say(text: string, extra: { interactive?: { kind: 'button'; id: string; title?: string }; type?: 'image'; attachments?: Attachment[]; meta?: Record<string, string | number | boolean>; timestamp?: string } = {}): Promise<string> {
    const channelMessageId = `${this.userId}-m${++this.n}`;
    const id = channelEventId(this.channel, `${this.tenantId}:${this.scope.accountId}`, channelMessageId);
    await this.kafka.publish(TOPICS.inbound, createEvent({
      type: 'omni.message.received.v1', id, source: `/channels/${this.channel}/${this.scope.accountId}`, subject: this.conversationId, tenantId: this.tenantId, region: 'local',
      data: {
        ...this.scope, conversationId: this.conversationId,
        customer: { channelUserId: this.userId, locale: this.locale },
        message: { channelMessageId, direction: 'inbound', type: 'text', text, attachments: [], timestamp: new Date().toISOString(), ...extra },
      },
    }));
    return id;
  }

  /** Produces the AI worker's result for one message. */
  async understood(messageId: string, ai: Partial<Pick<AiResult, 'intent' | 'answer' | 'abstained' | 'sentiment' | 'language' | 'entities'>>): Promise<void> {
    await this.kafka.publish(TOPICS.aiResult, createEvent({
      type: 'omni.ai.completed.v1', id: `${messageId}-ai`, source: '/ai-worker', subject: this.conversationId, tenantId: this.tenantId, region: 'local',
      data: {
        ...this.scope, conversationId: this.conversationId, messageId,
        language: this.locale, intent: null, alternatives: [], entities: [], answer: null, abstained: false, reasons: [], engine: 'test', ...ai,
      },
    }));
  }
}
