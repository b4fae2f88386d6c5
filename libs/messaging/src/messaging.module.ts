import {
  BeforeApplicationShutdown, DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit, Optional,
} from '@nestjs/common';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { rootLogger } from '@omni/telemetry';
import { withTimeout } from '@omni/resilience';
import { countRequests } from './request-metrics';
import { EventPublisher } from './publisher';
import { EventSubscription, SubscriptionOptions } from './consumer';
import type { EventSealing } from './sealing';
import { KafkaSettings, createKafka, kafkaSettingsFromEnv } from './settings';
import { ensureTopics } from './topics';

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');
export const KAFKA = Symbol('KAFKA');
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
/**
 * Optional: an app that provides it (globally) seals what it publishes for tenants that opted in and
 * opens what it consumes (crypto-shredding, ADR 0501); without it events go and are read in clear.
 */
export const EVENT_SEALING = Symbol('EVENT_SEALING');

export interface MessagingOptions {
  clientId: string;
  /** Topics this app produces to or consumes from; provisioned (with .retry/.dlq) at start. */
  topics: string[];
}

/**
 * Owns the Kafka connections of one app: provisions topics and connects the producer before the app
 * starts; consumers are started by the app once it is ready, and on SIGTERM they stop fetching and
 * finish in-flight records before the producer flushes and disconnects.
 */
@Injectable()
export class MessagingLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly subscriptions: EventSubscription[] = [];
  private readonly log = rootLogger().child({ component: 'messaging' });

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly publisher: EventPublisher,
    @Optional() @Inject(EVENT_SEALING) private readonly sealing?: EventSealing,
  ) {}

  async onModuleInit(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, this.settings, this.options.topics);
    } finally {
      await admin.disconnect();
    }
    await this.producer.connect();
  }

  /** Starts a consumer under the shared policy (retry topics, DLQ, commit after effect). */
  async subscribe(options: SubscriptionOptions): Promise<EventSubscription> {
    const sub = new EventSubscription(this.kafka, this.producer, this.settings, { ...(this.sealing ? { sealing: this.sealing } : {}), ...options });
    this.subscriptions.push(sub);
    await sub.start();
    return sub;
  }

  get consumersReady(): boolean {
    return this.subscriptions.every((s) => s.ready);
  }

  /** Cheap broker check for readiness: metadata of the cluster within a short timeout. */
  async ping(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await withTimeout(admin.connect().then(() => admin.describeCluster()), 2_000, 'kafka describeCluster');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.stop().catch((err: unknown) => this.log.error({ err }, 'consumer stop failed'))));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.drain().catch((err: unknown) => this.log.error({ err }, 'publisher drain failed'));
    await this.producer.disconnect().catch(() => undefined);
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: KAFKA_SETTINGS, useFactory: () => kafkaSettingsFromEnv(options.clientId) },
        { provide: KAFKA, inject: [KAFKA_SETTINGS], useFactory: (s: KafkaSettings) => createKafka(s) },
        {
          provide: KAFKA_PRODUCER,
          inject: [KAFKA],
          useFactory: (kafka: Kafka) => {
            const producer = kafka.producer({
              idempotent: true,
              maxInFlightRequests: 1,
              allowAutoTopicCreation: false,
              // murmur2 on the key, like Java clients: every producer puts a conversation on one partition.
              createPartitioner: Partitioners.DefaultPartitioner,
              // The idempotent producer must not give up on its own; EventPublisher bounds each publish.
              retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
            });
            countRequests(producer, 'producer');
            return producer;
          },
        },
        {
          provide: EventPublisher,
          inject: [KAFKA_PRODUCER, KAFKA_SETTINGS, { token: EVENT_SEALING, optional: true }],
          useFactory: (p: Producer, s: KafkaSettings, sealing?: EventSealing) => new EventPublisher(p, s, sealing ? { sealing } : {}),
        },
        MessagingLifecycle,
      ],
      exports: [KAFKA_SETTINGS, KAFKA, KAFKA_PRODUCER, EventPublisher, MessagingLifecycle],
    };
  }
}
