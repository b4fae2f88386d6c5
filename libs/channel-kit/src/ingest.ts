import { LRUCache } from 'lru-cache';
import { RetryableError, TOPICS, ValidationError, createEvent } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import { type DecodeResult, toNewEvents } from '@omni/channels';
import { counter, type rootLogger } from '@omni/telemetry';

const unknownItems = counter('omni_webhook_unknown_account_items_total', 'Webhook items for an account no tenant connected (not produced)', ['channel']);

/**
 * Items for an account nobody connected (a number, Page, bot or address): each counted
 * (`omni_webhook_unknown_account_items_total{channel}`), and logged once per account and process
 * (bounded), never silently dropped.
 */
export class UnknownAccounts {
  private readonly logged = new LRUCache<string, true>({ max: 10_000 });

  constructor(
    private readonly channel: string,
    private readonly log: ReturnType<typeof rootLogger>,
    private readonly message: string,
  ) {}

  seen(accountId: string): void {
    unknownItems.inc({ channel: this.channel });
    if (this.logged.has(accountId)) return;
    this.logged.set(accountId, true);
    this.log.warn({ channel: this.channel, accountId }, this.message);
  }

  /** Each named id no connected account has. */
  report(named: readonly string[], connected: { has(id: string): boolean }): void {
    for (const id of named) if (!connected.has(id)) this.seen(id);
  }
}

/** A webhook body as JSON, or a 400 naming what is wrong with it. */
export function parseJsonBody(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch (err) {
    throw new ValidationError(`body is not JSON: ${(err as Error).message}`);
  }
}

/**
 * Puts every event of one decoded webhook on Kafka and resolves only when all are acknowledged
 * (acks=all): the webhook is answered 2xx after this. Not on Kafka: a retryable `publish_failed`
 * (503 to the provider, which redelivers; the deterministic ids dedupe what did get through).
 */
export async function publishDecoded(publisher: EventPublisher, result: DecodeResult): Promise<{ messages: number; statuses: number }> {
  const events = toNewEvents(result).map((e) => createEvent(e));
  const inbound = events.filter((e) => e.type === 'omni.message.received.v1');
  const statuses = events.filter((e) => e.type === 'omni.message.status.v1');
  try {
    await Promise.all([
      inbound.length ? publisher.publish(TOPICS.inbound, inbound) : undefined,
      statuses.length ? publisher.publish(TOPICS.status, statuses) : undefined,
    ]);
  } catch (err) {
    throw new RetryableError('publish_failed', `events not stored: ${(err as Error).message}`);
  }
  return { messages: inbound.length, statuses: statuses.length };
}
