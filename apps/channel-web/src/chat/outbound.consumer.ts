import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { hostname } from 'node:os';
import { CloudEvent, OutboundCommand, TOPICS, createEvent, outboundTopic, parseEvent, statusEventId } from '@omni/contracts';
import { EventPublisher, MessagingLifecycle } from '@omni/messaging';
import { SpanKind, withSpan } from '@omni/telemetry';
import { WEB_CONFIG, WebConfig } from '../config';
import { SessionRegistry } from './session-registry';

const RECENT = 10_000;

/**
 * Delivers outbound web messages to the open sockets of their conversation and reports the status.
 * Every replica reads every record (its own consumer group): a customer's socket may be on any of
 * them, and a message nobody holds a socket for is still in the history the widget loads on reconnect.
 */
@Injectable()
export class OutboundConsumer implements OnApplicationBootstrap {
  private readonly recent = new Set<string>();

  constructor(
    @Inject(WEB_CONFIG) private readonly config: WebConfig,
    private readonly messaging: MessagingLifecycle,
    private readonly publisher: EventPublisher,
    private readonly sessions: SessionRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: `channel-web.${process.env.INSTANCE_ID ?? hostname()}`,
      topics: [outboundTopic('web')],
      fromBeginning: false,
      handler: (event) => this.deliver(parseEvent(event, 'omni.message.send.v1')),
    });
  }

  private async deliver(event: CloudEvent<OutboundCommand>): Promise<void> {
    const cmd = event.data;
    // A redelivered command (router retry after a crash) is not pushed twice to the same socket.
    if (this.recent.has(cmd.messageId)) return;
    const delivered = await withSpan('web.chat emit', SpanKind.PRODUCER, { 'omni.message_id': cmd.messageId }, async (span) => {
      const n = this.sessions.send(cmd.conversationId, {
        type: 'message',
        message: { id: cmd.messageId, direction: 'outbound', author: cmd.author.kind, text: cmd.message.text, timestamp: cmd.createdAt },
      });
      span.setAttribute('omni.sockets', n);
      return n;
    });
    this.remember(cmd.messageId);
    const status = delivered > 0 ? 'delivered' : 'sent';
    await this.publisher.publish(
      TOPICS.status,
      createEvent({
        type: 'omni.message.status.v1',
        id: statusEventId('web', cmd.accountId, cmd.messageId, status),
        source: `/channels/web/${this.config.WEB_ACCOUNT_ID}`,
        subject: cmd.conversationId,
        tenantId: cmd.tenantId,
        region: cmd.region,
        data: {
          tenantId: cmd.tenantId, region: cmd.region, channel: 'web', accountId: cmd.accountId, conversationId: cmd.conversationId,
          messageId: cmd.messageId, status, timestamp: new Date().toISOString(),
        },
      }),
    );
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.values().next().value as string);
  }
}
