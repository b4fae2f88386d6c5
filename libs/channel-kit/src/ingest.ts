import { TOPICS, createEvent } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import { type DecodeResult, toNewEvents } from '@omni/channels';

/**
 * Puts every event of one decoded webhook on Kafka and resolves only when all are acknowledged
 * (acks=all): the webhook is answered 2xx after this, so a provider retry covers any failure here.
 */
export async function publishDecoded(publisher: EventPublisher, result: DecodeResult): Promise<{ messages: number; statuses: number }> {
  const events = toNewEvents(result).map((e) => createEvent(e));
  const inbound = events.filter((e) => e.type === 'omni.message.received.v1');
  const statuses = events.filter((e) => e.type === 'omni.message.status.v1');
  await Promise.all([
    inbound.length ? publisher.publish(TOPICS.inbound, inbound) : undefined,
    statuses.length ? publisher.publish(TOPICS.status, statuses) : undefined,
  ]);
  return { messages: inbound.length, statuses: statuses.length };
}
