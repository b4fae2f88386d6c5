import { Injectable } from '@nestjs/common';
import { TOPICS, channelEventId, conversationId, createEvent } from '@omni/contracts';
import { EventPublisher } from '@omni/messaging';
import type { WebConfig } from '../config';

export interface WebSession {
  sessionId: string;
  conversationId: string;
  displayName?: string;
  locale?: string;
}

export function openSession(config: WebConfig, sessionId: string, displayName?: string, locale?: string): WebSession {
  return { sessionId, conversationId: conversationId(config.TENANT_ID, 'web', config.WEB_ACCOUNT_ID, sessionId), displayName, locale };
}

/**
 * Normalizes one widget message onto omni.inbound.v1. Resolves only once Kafka has acknowledged it:
 * the widget's ack means "stored", and a resend of the same clientMessageId is the same event id.
 */
@Injectable()
export class ReceiveWebMessageUseCase {
  constructor(private readonly publisher: EventPublisher) {}

  async execute(config: WebConfig, session: WebSession, clientMessageId: string, text: string): Promise<string> {
    // Scoped by session so one visitor's ids can never collide with (or overwrite) another's.
    return this.publish(config, session, `${session.sessionId}:${clientMessageId}`, { type: 'text', text });
  }

  /**
   * The customer's 👍/👎 on a message the widget showed (by our message id). One event per message
   * and emoji: clicking the same button again is the same event, switching is a new one.
   */
  react(config: WebConfig, session: WebSession, messageId: string, emoji: string): Promise<string> {
    const verdict = emoji === '👍' ? 'up' : 'down';
    return this.publish(config, session, `${session.sessionId}:reaction:${messageId}:${verdict}`, { type: 'reaction', reaction: { emoji, targetMessageId: messageId } });
  }

  private async publish(
    config: WebConfig,
    session: WebSession,
    channelMessageId: string,
    content: { type: 'text'; text: string } | { type: 'reaction'; reaction: { emoji: string; targetMessageId: string } },
  ): Promise<string> {
    const id = channelEventId('web', config.WEB_ACCOUNT_ID, channelMessageId);
    const event = createEvent({
      type: 'omni.message.received.v1',
      id,
      source: `/channels/web/${config.WEB_ACCOUNT_ID}`,
      subject: session.conversationId,
      tenantId: config.TENANT_ID,
      region: config.REGION,
      data: {
        tenantId: config.TENANT_ID,
        region: config.REGION,
        channel: 'web',
        accountId: config.WEB_ACCOUNT_ID,
        conversationId: session.conversationId,
        customer: { channelUserId: session.sessionId, displayName: session.displayName, locale: session.locale },
        message: { channelMessageId, direction: 'inbound', ...content, attachments: [], timestamp: new Date().toISOString() },
      },
    });
    await this.publisher.publish(TOPICS.inbound, event);
    return id;
  }
}
