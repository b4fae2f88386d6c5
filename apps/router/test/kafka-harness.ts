import { randomBytes } from 'node:crypto';
import { Consumer, Kafka, Producer, logLevel } from 'kafkajs';
import { CloudEvent, fromKafkaRecord, toKafkaRecord } from '@omni/contracts';
import { createKafka, kafkaSettingsFromEnv } from '@omni/messaging';

/**
 * Plays the other apps around a router under test: produces their events and records what the
 * router produces, on one suite's topic prefix. Consumes from the beginning with a private group.
 */
export class KafkaHarness {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private consumer?: Consumer;
  private readonly seen = new Map<string, CloudEvent[]>();

  constructor(brokers: string, private readonly prefix: string) {
    // The apps' client builder: the same TLS/SASL env as the router under test.
    this.kafka = createKafka(kafkaSettingsFromEnv('router-test-harness', { ...process.env, KAFKA_BROKERS: brokers }), { logLevel: logLevel.NOTHING });
  }

  async start(topics: readonly string[]): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    this.consumer = this.kafka.consumer({ groupId: `harness-${randomBytes(4).toString('hex')}`, sessionTimeout: 10_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: topics.map((t) => this.prefix + t), fromBeginning: true });
    let joined!: () => void;
    const ready = new Promise<void>((r) => (joined = r));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => joined());
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const name = topic.slice(this.prefix.length);
        const list = this.seen.get(name) ?? [];
        list.push(fromKafkaRecord(message));
        this.seen.set(name, list);
      },
    });
    await ready;
  }

  async publish(topic: string, event: CloudEvent): Promise<void> {
    const r = toKafkaRecord(event);
    await this.producer?.send({ topic: this.prefix + topic, messages: [{ key: r.key, value: r.value, headers: r.headers }] });
  }

  events<T = unknown>(topic: string, filter: (e: CloudEvent<T>) => boolean = () => true): CloudEvent<T>[] {
    return ((this.seen.get(topic) ?? []) as CloudEvent<T>[]).filter(filter);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}
