import { Producer, Message, CompressionTypes } from 'kafkajs';
import { CloudEvent, toKafkaRecord } from '@omni/contracts';
import { SpanKind, counter, histogram, startSpan, traceHeadersOf } from '@omni/telemetry';
import { withTimeout } from '@omni/resilience';
import { KafkaSettings } from './settings';
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
    const messages = list.map((e) => {
      const record = toKafkaRecord({ ...e, ...trace });
      return { key: record.key, value: record.value, headers: record.headers };
    });
    const done = new Promise<void>((resolve, reject) => this.queue.push({ topic: resolved, messages, resolve, reject }));
    this.schedule();
    try {
      await withTimeout(done, this.options.timeoutMs ?? 15_000, `publish to ${topic}`);
    } catch (err) {
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

  /** Waits for everything queued to be acknowledged; later publishes are refused. */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.inFlight || this.queue.length) {
      if (this.inFlight) await this.inFlight.catch(() => undefined);
      else await this.flush();
    }
  }
}
