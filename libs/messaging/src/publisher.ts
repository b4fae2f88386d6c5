import { Producer, Message, CompressionTypes } from 'kafkajs';
import { CloudEvent, RetryableError, toKafkaRecord, toSealedKafkaRecord } from '@omni/contracts';
import { SpanKind, counter, histogram, startSpan, traceHeadersOf } from '@omni/telemetry';
import { withTimeout } from '@omni/resilience';
import { KafkaSettings } from './settings';
import type { EventSealing } from './sealing';
import { resolveTopic } from './topics';

interface Pending {
  topic: string;
  messages: Message[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface PublisherOptions {
  /** Upper bound for one publish (the idempotent producer itself retries forever). */
  timeoutMs?: number;
  /** Records per request before a flush is forced. */
  maxBatch?: number;
  /**
   * Records waiting to be sent at most (Kafka down or slow): a publish beyond it is refused at once
   * with a retryable error — a webhook answers 503 and the provider redelivers — instead of the queue
   * growing until the process runs out of memory.
   */
  maxQueued?: number;
  /** How long `drain()` (shutdown) waits for Kafka before it fails what is still queued. */
  drainTimeoutMs?: number;
  /**
   * Crypto-shredding (ADR 0501): events of the types it covers, of tenants that opted in, leave sealed
   * with their conversation's data key. A key that cannot be had (database down) fails the publish
   * (retryable): an event is never published in clear instead.
   */
  sealing?: EventSealing;
}

/**
 * Publishes CloudEvents with the idempotent producer (acks=all). Records of concurrent callers are
 * coalesced into one sendBatch per tick, and only one request is in flight at a time: the idempotent
 * producer's sequence numbers stay in order (kafkajs misorders them with concurrent sends), while
 * throughput comes from batching. `publish` resolves only when Kafka has acknowledged the records,
 * which is what lets a webhook answer 2xx "only after its events are on Kafka".
 */
export class EventPublisher {
  private queue: Pending[] = [];
  private queued = 0;
  private inFlight: Promise<void> | null = null;
  private scheduled = false;
  private closed = false;
  private readonly produced = counter('omni_kafka_produced_total', 'Records acknowledged by Kafka', ['topic']);
  private readonly batchSize = histogram('omni_kafka_produce_batch_records', 'Records per produce request', [], [1, 2, 5, 10, 20, 50, 100, 200, 500]);

  constructor(
    private readonly producer: Producer,
    private readonly settings: KafkaSettings,
    private readonly options: PublisherOptions = {},
  ) {}

  async publish(topic: string, events: CloudEvent | CloudEvent[]): Promise<void> {
    if (this.closed) throw new Error('publisher is closed');
    const list = Array.isArray(events) ? events : [events];
    if (!list.length) return;
    const resolved = resolveTopic(this.settings, topic);
    // The producer span is a child of the caller's context even though the send happens in a batch.
    const span = startSpan(`${topic} publish`, SpanKind.PRODUCER, {
      'messaging.system': 'kafka', 'messaging.destination.name': resolved, 'messaging.batch.message_count': list.length,
    });
    const trace = traceHeadersOf(span);
    const sealing = this.options.sealing;
    let messages: Message[];
    if (!sealing) {
      // Synchronous when nothing is sealed: the record is queued in the caller's tick, as before.
      messages = list.map((e) => {
        const record = toKafkaRecord({ ...e, ...trace });
        return { key: record.key, value: record.value, headers: record.headers };
      });
    } else {
      try {
        messages = await Promise.all(list.map(async (e) => {
          const event = { ...e, ...trace };
          const sealed = await sealing.seal(event);
          const record = sealed ? toSealedKafkaRecord(event, sealed.keyId, sealed.value) : toKafkaRecord(event);
          return { key: record.key, value: record.value, headers: record.headers };
        }));
      } catch (err) {
        span.recordException(err as Error);
        span.end();
        throw new RetryableError('event_sealing_failed', `could not seal events for ${topic}: ${(err as Error).message}`);
      }
    }
    const limit = this.options.maxQueued ?? 20_000;
    if (this.queued + messages.length > limit) {
      span.end();
      throw new RetryableError('publisher_backpressure', `${this.queued} records are waiting for Kafka (limit ${limit}); try again later`);
    }
    let pending: Pending | undefined;
    const done = new Promise<void>((resolve, reject) => {
      pending = { topic: resolved, messages, resolve, reject };
      this.queue.push(pending);
    });
    this.queued += messages.length;
    this.schedule();
    try {
      await withTimeout(done, this.options.timeoutMs ?? 15_000, `publish to ${topic}`);
    } catch (err) {
      // Not sent yet: leave the queue, so a caller that was told "failed" (and may retry) is not sent later too.
      this.withdraw(pending);
      span.recordException(err as Error);
      throw err;
    } finally {
      span.end();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight || !this.queue.length) return;
    const max = this.options.maxBatch ?? 500;
    const batch: Pending[] = [];
    let count = 0;
    while (this.queue.length && count < max) {
      const p = this.queue.shift() as Pending;
      batch.push(p);
      count += p.messages.length;
    }
    this.queued -= count;
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      // Appended in place: copying the list per caller was quadratic in the batch size.
      const list = byTopic.get(p.topic);
      if (list) list.push(...p.messages);
      else byTopic.set(p.topic, [...p.messages]);
    }
    this.inFlight = this.producer
      .sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
      .then(() => {
        this.batchSize.observe(count);
        for (const [topic, messages] of byTopic) this.produced.inc({ topic }, messages.length);
        for (const p of batch) p.resolve();
      })
      .catch((err: unknown) => {
        for (const p of batch) p.reject(err);
      })
      .finally(() => {
        this.inFlight = null;
        if (this.queue.length) this.schedule();
      });
    await this.inFlight;
  }

  private withdraw(p: Pending | undefined): void {
    const i = p ? this.queue.indexOf(p) : -1;
    if (i < 0 || !p) return;
    this.queue.splice(i, 1);
    this.queued -= p.messages.length;
  }

  /**
   * Waits for everything queued to be acknowledged; later publishes are refused. Bounded: after
   * `drainTimeoutMs` (Kafka unreachable) what is still queued fails, so a shutdown never hangs and
   * every caller learns its records were not stored.
   */
  async drain(): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + (this.options.drainTimeoutMs ?? 10_000);
    const flushed = (async () => {
      while (this.inFlight || this.queue.length) {
        if (this.inFlight) await this.inFlight.catch(() => undefined);
        else await this.flush();
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((r) => { timer = setTimeout(() => r('expired'), Math.max(0, deadline - Date.now())); });
    try {
      if ((await Promise.race([flushed.then(() => 'done' as const), expired])) === 'done') return;
    } finally {
      clearTimeout(timer);
    }
    const left = this.queue.splice(0);
    this.queued = 0;
    const err = new RetryableError('publisher_closed', 'shutting down: Kafka did not take these records in time');
    for (const p of left) p.reject(err);
    throw new RetryableError('drain_timeout', `publisher drain gave up: ${left.reduce((n, p) => n + p.messages.length, 0)} records not sent`);
  }
}
