import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, Producer } from 'kafkajs';
import { Connection, createConnection } from 'mongoose';
import { TOPICS, createEvent, dlqTopic, outboundTopic, retryTopic, type CloudEvent } from '@omni/contracts';
import { ERASED, EVENT_SEALING, EventPublisher, EventSubscription, createKafka, ensureTopics, kafkaSettingsFromEnv, resolveTopic, type EventSealing, type KafkaSettings } from '@omni/messaging';
import { DATA_KEY_STORE, EventSealingModule, PRIVACY_REPOSITORY, PersistenceModule, TENANT_DIRECTORY, type PrivacyRepository, type TenantDirectory } from '@omni/persistence';
import { LocalKms, dataKeyAad, newKek, type DataKeyStore } from '@omni/secrets';
import { mongoUri, uniqueName, waitFor } from '../../../../test/support/env';
import { readRawRecords } from '../../../../test/support/kafka-records';

const name = uniqueName('kafka-shredding');
const KEK = newKek('k1');
const at = () => new Date().toISOString();
/** What Ana wrote and who she is: none of it may be readable on Kafka after her erasure. */
const ANA = { name: 'Ana Shredded-Silva', phone: '351911000777', text: 'my IBAN is PT50000201231234567890154, call me', file: 'https://media.example/ana-passport-scan.pdf' };
const BRUNO_TEXT = 'Bruno’s tenant did not opt in: readable until retention';
/** Carla's conversation: what the router asks, the AI answers, the bot replies and an agent corrects. */
const CARLA = { phone: '351911000999', asked: 'carla asks: my card 4111-2222 was charged twice', answer: 'Carla, the refund of the double charge is on its way', transcript: 'voice: carla lives at Rua Secreta 12', example: 'carla example: charged twice on my card' };

/** One event of every other sealed type (ADR 0501), on its own topic, all of Carla's conversation. */
function carlasEvents(): { topic: string; event: CloudEvent }[] {
  const scope = { tenantId: 'shred', region: 'local', channel: 'whatsapp' as const, accountId: 'a1', conversationId: 'conv-carla' };
  const base = { subject: 'conv-carla', tenantId: 'shred', region: 'local' };
  return [
    { topic: TOPICS.aiRequest, event: createEvent({ ...base, type: 'omni.ai.requested.v1', id: 'carla-ai-req', source: '/router', data: { ...scope, messageId: 'carla-1', text: CARLA.asked, messageType: 'text', history: [{ role: 'customer', text: CARLA.asked }] } }) },
    {
      topic: TOPICS.aiResult,
      event: createEvent({
        ...base, type: 'omni.ai.completed.v1', id: 'carla-ai-res', source: '/ai-worker',
        data: { ...scope, messageId: 'carla-1', language: 'en', intent: { name: 'refund', confidence: 0.9 }, alternatives: [], reasons: [], entities: [{ type: 'card', value: '4111-2222', start: 20, end: 29 }], answer: { text: CARLA.answer }, abstained: false, engine: 'test', transcript: CARLA.transcript },
      }),
    },
    { topic: TOPICS.aiOutcome, event: createEvent({ ...base, type: 'omni.ai.outcome.v1', id: 'carla-outcome', source: '/router', data: { ...scope, outcome: 'corrected', reasons: [], messageId: 'carla-1', label: 'refund', example: { text: CARLA.example }, at: at() } }) },
    {
      topic: outboundTopic('whatsapp'),
      event: createEvent({
        ...base, type: 'omni.message.send.v1', id: 'carla-send', source: '/router',
        data: { ...scope, messageId: 'carla-reply-1', recipient: { channelUserId: CARLA.phone }, author: { kind: 'bot' }, message: { type: 'text', text: CARLA.answer, attachments: [] }, createdAt: at() },
      }),
    },
  ];
}

const received = (tenantId: string, conversationId: string, id: string, text: string, customer = { channelUserId: ANA.phone, displayName: ANA.name }): CloudEvent =>
  createEvent({
    type: 'omni.message.received.v1', id, source: '/channels/whatsapp/a1', subject: conversationId, tenantId, region: 'local',
    data: {
      tenantId, region: 'local', channel: 'whatsapp', accountId: 'a1', conversationId, customer,
      message: { channelMessageId: `wamid.${id}`, direction: 'inbound', type: 'document', text, timestamp: at(), attachments: [{ kind: 'document', mime: 'application/pdf', url: ANA.file }] },
    },
  });

/**
 * ADR 0501, crypto-shredding on real Kafka and FerretDB: an opted-in tenant's inbound messages leave
 * the publisher sealed with their conversation's key; the consumer opens them; one that keeps failing
 * is copied to the retry topic and the DLQ — sealed too. The data-subject erasure destroys the key:
 * the raw bytes of every copy on every topic hold nothing of the customer and no key, the receipt says
 * `shredded`, and a consumer reading the topic again skips those events cleanly (no dead letters).
 */
describe('crypto-shredding of inbound messages on Kafka', () => {
  const settings: KafkaSettings = { ...kafkaSettingsFromEnv('shred-int'), topicPrefix: `${name}.`, partitions: 1, sessionTimeoutMs: 6_000 };
  let app: INestApplicationContext;
  let db: Connection;
  let kafka: Kafka;
  let producer: Producer;
  let sealing: EventSealing;
  const subs: EventSubscription[] = [];

  beforeAll(async () => {
    @Module({ imports: [PersistenceModule.forRoot(mongoUri(name)), EventSealingModule.forRoot({ SECRETS_KEK: KEK, SECRETS_KEK_PREVIOUS: [] })] })
    class ShreddingIt {}
    app = await NestFactory.createApplicationContext(ShreddingIt, { logger: false, abortOnError: false });
    sealing = app.get(EVENT_SEALING);
    db = await createConnection(mongoUri(name)).asPromise();
    const tenants = app.get<TenantDirectory>(TENANT_DIRECTORY);
    await tenants.create({ _id: 'shred', name: 'Opted in', kafkaShredding: true, kafkaShreddingSince: new Date(Date.now() - 30 * 86_400_000) });
    await tenants.create({ _id: 'clear', name: 'Not opted in' });
    const now = new Date();
    await db.collection('customers').insertOne({ _id: 'cu-ana' as never, tenantId: 'shred', channel: 'whatsapp', accountId: 'a1', channelUserId: ANA.phone, displayName: ANA.name, createdAt: now, lastSeenAt: now });
    await db.collection('customers').insertOne({ _id: 'cu-carla' as never, tenantId: 'shred', channel: 'whatsapp', accountId: 'a1', channelUserId: CARLA.phone, displayName: 'Carla', createdAt: now, lastSeenAt: now });
    await db.collection('conversations').insertOne({
      _id: 'conv-carla' as never, tenantId: 'shred', region: 'local', channel: 'whatsapp', accountId: 'a1', customerId: 'cu-carla', channelUserId: CARLA.phone,
      state: 'bot', version: 0, lastMessageAt: now, createdAt: now, updatedAt: now,
    });
    await db.collection('conversations').insertOne({
      _id: 'conv-ana' as never, tenantId: 'shred', region: 'local', channel: 'whatsapp', accountId: 'a1', customerId: 'cu-ana', channelUserId: ANA.phone,
      state: 'bot', version: 0, lastMessageAt: now, createdAt: now, updatedAt: now,
    });
    kafka = createKafka(settings);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, settings, [TOPICS.inbound, TOPICS.aiRequest, TOPICS.aiResult, TOPICS.aiOutcome, outboundTopic('whatsapp')]);
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(subs.map((s) => s.stop()));
    await producer?.disconnect();
    await app?.close();
    await db?.close();
  });

  /** How many records a topic holds (its partitions' high watermarks). */
  async function count(topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(resolveTopic(settings, topic))).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** Every record of a topic as raw bytes (nothing decoded). */
  const raw = (topic: string, expected: number, reader: string) => readRawRecords(kafka, resolveTopic(settings, topic), expected, `${name}-${reader}`);

  it('seals, opens, shreds on erasure on every topic, and skips the erased events cleanly afterwards', async () => {
    const publisher = new EventPublisher(producer, settings, { sealing });
    await publisher.publish(TOPICS.inbound, [
      received('shred', 'conv-ana', 'ana-1', ANA.text),
      received('shred', 'conv-ana', 'ana-poison', `${ANA.text} (this one keeps failing)`),
      received('clear', 'conv-bruno', 'bruno-1', BRUNO_TEXT, { channelUserId: '351911000888', displayName: 'Bruno' }),
    ]);

    // The router-like consumer opens them; the poison one goes through the retry topic to the DLQ.
    const handled: { id: string; text?: string }[] = [];
    const first = new EventSubscription(kafka, producer, settings, {
      groupId: 'router-like', topics: [TOPICS.inbound], sealing, retry: { inlineAttempts: 1, inlineDelayMs: 10, backoffMs: [200] },
      handler: async (event) => {
        if (event.id === 'ana-poison') throw new Error('downstream keeps failing');
        handled.push({ id: event.id, text: (event.data as { message: { text?: string } }).message.text });
      },
    });
    subs.push(first);
    await first.start();
    await waitFor('both good events handled', async () => handled.length === 2);
    expect(handled).toEqual([{ id: 'ana-1', text: ANA.text }, { id: 'bruno-1', text: BRUNO_TEXT }]);
    await raw(dlqTopic(TOPICS.inbound), 1, 'dlq-before');
    await first.stop();

    // The key as it is before the erasure, to look for it on the topics afterwards.
    const keys = app.get<DataKeyStore>(DATA_KEY_STORE);
    const stored = await keys.ofConversation('conv-ana');
    if (!stored) throw new Error('no data key for the opted-in conversation');
    const key = await new LocalKms(KEK).unwrap(stored.key, dataKeyAad(stored._id, 'conv-ana'));
    expect(await keys.ofConversation('conv-bruno')).toBeNull(); // the other tenant's events were not sealed

    const receipt = await app.get<PrivacyRepository>(PRIVACY_REPOSITORY).erase('shred', 'cu-ana', 'api:dpo', new Date());
    expect(receipt?.stores?.find((s) => s.store === 'kafka')).toMatchObject({ store: 'kafka', action: 'shredded', count: 1 });
    expect(await keys.get(stored._id)).toBeNull();

    // Every copy, raw: the topic, its retry topic and its dead letters.
    const records = [...await raw(TOPICS.inbound, 3, 'scan'), ...await raw(retryTopic(TOPICS.inbound), 1, 'scan-retry'), ...await raw(dlqTopic(TOPICS.inbound), 1, 'scan-dlq')];
    const ana = records.filter((r) => JSON.stringify(r.headers).includes('conv-ana'));
    expect(ana).toHaveLength(4);
    const secrets = [ANA.name, ANA.phone, 'PT50000201231234567890154', 'passport-scan', 'IBAN'];
    const keyForms = [key.toString('hex'), key.toString('base64'), stored.key.wrapped];
    const leaks: string[] = [];
    for (const r of ana) {
      const text = `${r.value.toString('latin1')}${r.value.toString('utf8')}${JSON.stringify(r.headers)}`;
      for (const s of [...secrets, ...keyForms]) if (text.includes(s)) leaks.push(s.slice(0, 12));
      if (r.value.includes(key)) leaks.push('raw key bytes');
    }
    expect(leaks).toEqual([]);
    // The scan would have seen plaintext: the tenant that did not opt in is readable.
    expect(records.some((r) => r.value.toString('utf8').includes(BRUNO_TEXT))).toBe(true);
    // Nothing in the database holds the key either.
    const everything = JSON.stringify(await db.collection('conversation_keys').find({}).toArray());
    for (const k of keyForms) expect(everything).not.toContain(k);

    // Read again by a consumer (another replica: no key in memory): the erased events are skipped and
    // committed, the other tenant's handled, and not one more dead letter.
    const again = await freshSealing();
    const seen: string[] = [];
    const second = new EventSubscription(kafka, producer, settings, {
      groupId: 'after-erasure', topics: [TOPICS.inbound], sealing: again, fromBeginning: true, retry: { inlineAttempts: 1, inlineDelayMs: 10, backoffMs: [200] },
      handler: async (event) => { seen.push(event.id); },
    });
    subs.push(second);
    await second.start();
    await waitFor('the clear event handled again', async () => seen.includes('bruno-1'));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(seen).toEqual(['bruno-1']);
    expect(await count(dlqTopic(TOPICS.inbound))).toBe(1);
    expect(await count(retryTopic(TOPICS.inbound))).toBe(1);
    await second.stop();
  }, 90_000);

  it('seals every other type that carries customer content (AI request, result, outcome, outbound command), every consumer opens them, and the erasure shreds them all — on a replica that had just opened them too', async () => {
    const events = carlasEvents();
    const publisher = new EventPublisher(producer, settings, { sealing });
    for (const { topic, event } of events) await publisher.publish(topic, event);

    // Each type's consumer (the AI worker, the router, a channel app) opens it; this replica now holds the key in memory.
    const replica = await freshSealing();
    const opened = new Map<string, unknown>();
    const consumer = new EventSubscription(kafka, producer, settings, {
      groupId: 'carla-consumers', topics: events.map((e) => e.topic), sealing: replica, fromBeginning: true,
      handler: async (event) => { opened.set(event.id, event.data); },
    });
    subs.push(consumer);
    await consumer.start();
    await waitFor('the four events opened', async () => opened.size === events.length);
    for (const { event } of events) expect(opened.get(event.id)).toEqual(event.data);
    await consumer.stop();

    const keys = app.get<DataKeyStore>(DATA_KEY_STORE);
    const stored = await keys.ofConversation('conv-carla');
    if (!stored) throw new Error('no data key for Carla’s conversation');
    const key = await new LocalKms(KEK).unwrap(stored.key, dataKeyAad(stored._id, 'conv-carla'));

    // Sealed on the wire before the erasure already: the raw records hold none of it.
    const secrets = [CARLA.phone, CARLA.asked, CARLA.answer, CARLA.transcript, CARLA.example, '4111-2222', 'Rua Secreta'];
    const scan = async (reader: string) => {
      const records = (await Promise.all(events.map(({ topic }) => raw(topic, 1, `${reader}-${topic}`)))).flat();
      expect(records.map((r) => r.headers.ce_datakey)).toEqual(events.map(() => stored._id));
      const leaks: string[] = [];
      for (const r of records) {
        const text = `${r.value.toString('latin1')}${r.value.toString('utf8')}${JSON.stringify(r.headers)}`;
        for (const s of [...secrets, key.toString('hex'), key.toString('base64'), stored.key.wrapped]) if (text.includes(s)) leaks.push(s.slice(0, 12));
        if (r.value.includes(key)) leaks.push('raw key bytes');
      }
      expect(leaks).toEqual([]);
    };
    await scan('carla-before');

    const receipt = await app.get<PrivacyRepository>(PRIVACY_REPOSITORY).erase('shred', 'cu-carla', 'api:dpo', new Date());
    expect(receipt?.stores?.find((s) => s.store === 'kafka')).toMatchObject({ action: 'shredded', count: 1 });
    await scan('carla-after');

    // The replica that opened them a moment ago (its key cache is 60 s) opens none of them now: each is
    // skipped as erased — not handled, not dead-lettered.
    for (const { topic, event } of events) {
      const [record] = await raw(topic, 1, `carla-reopen-${event.id}`);
      const sealedEvent = { ...event, data: record.value, datakey: record.headers.ce_datakey };
      await expect(replica.open(sealedEvent)).resolves.toBe(ERASED);
    }
    const after: string[] = [];
    const again = new EventSubscription(kafka, producer, settings, {
      groupId: 'carla-after-erasure', topics: events.map((e) => e.topic), sealing: replica, fromBeginning: true, retry: { inlineAttempts: 1, inlineDelayMs: 10, backoffMs: [200] },
      handler: async (event) => { after.push(event.id); },
    });
    subs.push(again);
    await again.start();
    await waitFor('the group caught up with the four records', async () => (await lag('carla-after-erasure', events.map((e) => e.topic))) === 0);
    expect(after).toEqual([]);
    for (const { topic } of events) expect(await count(dlqTopic(topic))).toBe(0);
    await again.stop();
  }, 90_000);

  /** How many records of these topics the group has not committed yet. */
  async function lag(groupId: string, topics: string[]): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      let behind = 0;
      for (const topic of topics) {
        const resolved = resolveTopic(settings, topic);
        const ends = await admin.fetchTopicOffsets(resolved);
        const [committed] = await admin.fetchOffsets({ groupId: `${settings.topicPrefix}${groupId}`, topics: [resolved] });
        for (const p of ends) {
          const at = Number(committed?.partitions.find((c) => c.partition === p.partition)?.offset ?? -1);
          behind += Number(p.high) - Math.max(at, 0);
        }
      }
      return behind;
    } catch {
      return -1;
    } finally {
      await admin.disconnect();
    }
  }

  /** The same key store and KEK as a new app instance would build them (nothing cached). */
  async function freshSealing(): Promise<EventSealing> {
    @Module({ imports: [PersistenceModule.forRoot(mongoUri(name)), EventSealingModule.forRoot({ SECRETS_KEK: KEK, SECRETS_KEK_PREVIOUS: [] })] })
    class Replica {}
    const replica = await NestFactory.createApplicationContext(Replica, { logger: false, abortOnError: false });
    replicas.push(replica);
    return replica.get(EVENT_SEALING);
  }
  const replicas: INestApplicationContext[] = [];
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
  });
});
