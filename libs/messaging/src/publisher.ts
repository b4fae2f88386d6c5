import { Producer, Message, CompressionTypes } from 'kafkajs';
import { CloudEvent, RetryableError, toKafkaRecord, toSealedKafkaRecord } from '@omni/contracts';
import { SpanKind, counter, histogram, startSpan, traceHeadersOf } from '@omni/telemetry';
import { withTimeout } from '@omni/resilience';
import { KafkaSettings } from './settings';
import type { EventSealing } from './sealing';
import { resolveTopic } from './topics';

interface Pending {
  topic: string;
  /** Null while its events are being sealed: the place in the queue is taken at the call, in call order. */
  messages: Message[] | null;
  /** Records it holds (known at the call, before sealing). */
  count: number;
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
    const limit = this.options.maxQueued ?? 20_000;
    if (this.queued + list.length > limit) {
      span.end();
      throw new RetryableError('publisher_backpressure', `${this.queued} records are waiting for Kafka (limit ${limit}); try again later`);
    }
    // The place in the queue is taken now, in the caller's tick, even when sealing makes the records
    // later: a caller's records leave in the order of its publish calls (a chat's messages published
    // one after another without awaiting each other stay in order — sealing had let a later one
    // overtake an earlier one whose tenant lookup took longer).
    let pending!: Pending;
    const done = new Promise<void>((resolve, reject) => {
      pending = { topic: resolved, messages: null, count: list.length, resolve, reject };
    });
    this.queue.push(pending);
    this.queued += list.length;
    const sealing = this.options.sealing;
    try {
      if (!sealing) {
        pending.messages = list.map((e) => {
          const record = toKafkaRecord({ ...e, ...trace });
          return { key: record.key, value: record.value, headers: record.headers };
        });
      } else {
        try {
          pending.messages = await Promise.all(list.map(async (e) => {
            const event = { ...e, ...trace };
            const sealed = await sealing.seal(event);
            const record = sealed ? toSealedKafkaRecord(event, sealed.keyId, sealed.value) : toKafkaRecord(event);
            return { key: record.key, value: record.value, headers: record.headers };
          }));
        } catch (err) {
          throw new RetryableError('event_sealing_failed', `could not seal events for ${topic}: ${(err as Error).message}`);
        }
      }
      this.schedule();
      await withTimeout(done, this.options.timeoutMs ?? 15_000, `publish to ${topic}`);
    } catch (err) {
      // Not sent yet: leave the queue, so a caller that was told "failed" (and may retry) is not sent later too.
      this.withdraw(pending);
      // A place that will never be filled no longer holds back the records queued behind it.
      this.schedule();
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
    const batch: { pending: Pending; messages: Message[] }[] = [];
    let count = 0;
    // Only the head's ready places: one still being sealed holds the places behind it (call order).
    while (this.queue.length && count < max && this.queue[0].messages !== null) {
      const p = this.queue.shift() as Pending;
      batch.push({ pending: p, messages: p.messages as Message[] });
      count += p.count;
    }
    if (!batch.length) return;
    this.queued -= count;
    const byTopic = new Map<string, Message[]>();
    for (const { pending: p, messages } of batch) {
      // Appended in place: copying the list per caller was quadratic in the batch size.
      const list = byTopic.get(p.topic);
      if (list) list.push(...messages);
      else byTopic.set(p.topic, [...messages]);
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
        for (const { pending: p } of batch) p.resolve();
      })
      .catch((err: unknown) => {
        for (const { pending: p } of batch) p.reject(err);
      })
      .finally(() => {
        this.inFlight = null;
        if (this.queue.length) this.schedule();
      });
    await this.inFlight;
  }

  private withdraw(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i < 0) return;
    this.queue.splice(i, 1);
    this.queued -= p.count;
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
        // The head is still being sealed: give it a turn of the event loop, then look again.
        else if (this.queue[0].messages === null) await new Promise((r) => setTimeout(r, 5));
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
    throw new RetryableError('drain_timeout', `publisher drain gave up: ${left.reduce((n, p) => n + p.count, 0)} records not sent`);
  }
}
