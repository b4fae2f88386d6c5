import type { EachMessagePayload, Kafka, KafkaMessage, Producer, ProducerRecord } from 'kafkajs';
import { CloudEvent, RetryableError, ValidationError, createEvent, headerValue, toKafkaRecord } from '@omni/contracts';
import { EventHandler, EventSubscription, H, HandlerContext, RetryPlan } from './consumer';
import type { KafkaSettings } from './settings';

const TOPIC = 'omni.status.v1';
const GROUP = 'router-statuses';
const PLAN: RetryPlan = { inlineAttempts: 3, inlineDelayMs: 1, backoffMs: [5, 5] };

type Message = ProducerRecord['messages'][number];

/** A fake kafkajs client: records what the subscription asks of it and hands back its eachMessage. */
function fakeKafka() {
  const listeners = new Map<string, () => void>();
  const calls = { consumerConfig: undefined as unknown, subscribed: [] as string[], runConfig: undefined as Record<string, unknown> | undefined, disconnected: 0 };
  let eachMessage: ((p: EachMessagePayload) => Promise<void>) | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: (event: string, listener: () => void) => { listeners.set(event, listener); },
    connect: async () => undefined,
    subscribe: async ({ topics }: { topics: string[] }) => { calls.subscribed.push(...topics); },
    run: async (config: Record<string, unknown> & { eachMessage: (p: EachMessagePayload) => Promise<void> }) => {
      calls.runConfig = config;
      eachMessage = config.eachMessage;
    },
    disconnect: async () => { calls.disconnected++; },
  };
  const kafka = { consumer: (config: unknown) => { calls.consumerConfig = config; return consumer; } } as unknown as Kafka;
  return {
    kafka,
    calls,
    emit: (event: 'consumer.group_join') => listeners.get(event)?.(),
    eachMessage: (p: EachMessagePayload) => {
      if (!eachMessage) throw new Error('run() was not called');
      return eachMessage(p);
    },
  };
}

function fakeProducer(fail = false) {
  const sent: ProducerRecord[] = [];
  const producer = {
    send: async (record: ProducerRecord) => {
      if (fail) throw new Error('broker unreachable');
      sent.push(record);
      return [];
    },
  } as unknown as Producer;
  return { producer, sent };
}

async function setup(opts: { handler: EventHandler; prefix?: string; failSend?: boolean; groupId?: string }) {
  const k = fakeKafka();
  const p = fakeProducer(opts.failSend);
  const settings: KafkaSettings = { brokers: [], clientId: 'unit', topicPrefix: opts.prefix ?? '', partitions: 2, replicationFactor: 1, sessionTimeoutMs: 6_000 };
  const sub = new EventSubscription(k.kafka, p.producer, settings, { groupId: opts.groupId ?? GROUP, topics: [TOPIC], handler: opts.handler, retry: PLAN });
  await sub.start();
  let heartbeats = 0;
  const deliver = (topic: string, message: Message, offset = '7') =>
    k.eachMessage({
      topic, partition: 1, message: { ...message, offset, timestamp: '0', attributes: 0 } as KafkaMessage,
      heartbeat: async () => { heartbeats++; }, pause: () => () => undefined,
    });
  return { sub, kafka: k, sent: p.sent, deliver, heartbeats: () => heartbeats };
}

function statusRecord(): Message {
  const event = createEvent({
    type: 'omni.message.status.v1', id: 'status-1', source: '/channels/web/a1', subject: 'conv-1', tenantId: 't1', region: 'eu',
    data: { tenantId: 't1', region: 'eu', channel: 'web', accountId: 'a1', conversationId: 'conv-1', messageId: 'm-1', status: 'read', timestamp: '2025-01-01T00:00:00.000Z' },
  });
  const r = toKafkaRecord(event);
  return { key: r.key, value: r.value, headers: r.headers };
}

const header = (m: Message, name: string) => headerValue(m.headers, name);

/** Records every call; fails the first `failures` calls with `error`. */
function handlerFailing(failures: number, error: () => unknown) {
  const calls: { event: CloudEvent<unknown>; ctx: HandlerContext }[] = [];
  const handler: EventHandler = async (event, ctx) => {
    calls.push({ event, ctx });
    if (calls.length <= failures) throw error();
  };
  return { handler, calls };
}

describe('EventSubscription', () => {
  it('joins the group, subscribes to each topic and its retry topic, and reports readiness', async () => {
    const { sub, kafka } = await setup({ handler: async () => undefined });
    expect(kafka.calls.consumerConfig).toMatchObject({ groupId: GROUP, allowAutoTopicCreation: false });
    expect(kafka.calls.subscribed).toEqual([TOPIC, `${TOPIC}.retry`]);
    expect(kafka.calls.runConfig).toMatchObject({ autoCommit: true, partitionsConsumedConcurrently: 2 });
    expect(sub.ready).toBe(false);
    kafka.emit('consumer.group_join');
    expect(sub.ready).toBe(true);
    await sub.stop();
    expect(sub.ready).toBe(false);
    expect(kafka.calls.disconnected).toBe(1);
  });

  it('hands a valid record to the handler once and parks nothing', async () => {
    const h = handlerFailing(0, () => undefined);
    const { deliver, sent } = await setup({ handler: h.handler });
    await deliver(TOPIC, statusRecord(), '42');
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0].event).toMatchObject({ id: 'status-1', type: 'omni.message.status.v1', subject: 'conv-1', data: { messageId: 'm-1', status: 'read' } });
    expect(h.calls[0].ctx).toEqual({ topic: TOPIC, partition: 1, offset: '42', attempt: 0 });
    expect(sent).toHaveLength(0);
  });

  it('dead-letters a record that is not a CloudEvent with its original key, value and headers, and commits', async () => {
    const h = handlerFailing(0, () => undefined);
    const { deliver, sent } = await setup({ handler: h.handler });
    const poison: Message = { key: Buffer.from('conv-x'), value: Buffer.from('not json at all'), headers: { 'x-app': Buffer.from('legacy') } };
    await expect(deliver(TOPIC, poison, '9')).resolves.toBeUndefined();
    expect(h.calls).toHaveLength(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: `${TOPIC}.dlq`, acks: -1 });
    const [m] = sent[0].messages;
    expect(m.key).toEqual(poison.key);
    expect(m.value).toEqual(poison.value);
    expect(header(m, 'x-app')).toBe('legacy');
    expect(header(m, H.errorCode)).toBe('validation_failed');
    expect(header(m, H.errorMessage)).toMatch(/not a CloudEvent/);
    expect(header(m, H.errorRetryable)).toBe('false');
    expect(header(m, H.originalTopic)).toBe(TOPIC);
    expect(header(m, H.originalPartition)).toBe('1');
    expect(header(m, H.originalOffset)).toBe('9');
    expect(header(m, H.group)).toBe(GROUP);
    expect(Number.isNaN(Date.parse(header(m, H.failedAt) ?? ''))).toBe(false);
    expect(header(m, H.notBefore)).toBeUndefined();
  });

  it.each([
    ['a ValidationError', () => new ValidationError('bad data')],
    ['a TypeError (a bug)', () => new TypeError('x is undefined')],
  ])('sends a record whose handler throws %s straight to the DLQ without retrying', async (_name, error) => {
    const h = handlerFailing(Infinity, error);
    const { deliver, sent } = await setup({ handler: h.handler });
    const original = statusRecord();
    await deliver(TOPIC, original);
    expect(h.calls).toHaveLength(1);
    expect(sent.map((s) => s.topic)).toEqual([`${TOPIC}.dlq`]);
    expect(sent[0].messages[0].headers).toMatchObject(original.headers as object);
  });

  it('retries a retryable failure in place and succeeds without parking', async () => {
    const h = handlerFailing(2, () => new RetryableError('timeout', 'db slow'));
    const { deliver, sent } = await setup({ handler: h.handler });
    await deliver(TOPIC, statusRecord());
    expect(h.calls).toHaveLength(3);
    expect(sent).toHaveLength(0);
  });

  it('moves a record to the retry topic after inlineAttempts retryable failures', async () => {
    const h = handlerFailing(Infinity, () => new RetryableError('dependency_unavailable', 'circuit open'));
    const { deliver, sent } = await setup({ handler: h.handler });
    const before = Date.now();
    await deliver(TOPIC, statusRecord(), '11');
    expect(h.calls).toHaveLength(PLAN.inlineAttempts);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: `${TOPIC}.retry`, acks: -1 });
    const m = sent[0].messages[0];
    expect(m.key).toBe('conv-1');
    expect(header(m, H.attempt)).toBe('1');
    expect(header(m, H.group)).toBe(GROUP);
    expect(header(m, H.errorCode)).toBe('dependency_unavailable');
    expect(header(m, H.errorRetryable)).toBe('true');
    expect(header(m, 'ce_id')).toBe('status-1');
    const notBefore = Number(header(m, H.notBefore));
    expect(notBefore).toBeGreaterThanOrEqual(before + PLAN.backoffMs[0]);
    expect(notBefore).toBeLessThanOrEqual(Date.now() + PLAN.backoffMs[0]);
  });

  it('walks a failing record through every backoff, then dead-letters it', async () => {
    const h = handlerFailing(Infinity, () => new Error('ECONNRESET'));
    const { deliver, sent } = await setup({ handler: h.handler });
    await deliver(TOPIC, statusRecord());
    await deliver(`${TOPIC}.retry`, sent[0].messages[0]);
    expect(sent[1].topic).toBe(`${TOPIC}.retry`);
    expect(header(sent[1].messages[0], H.attempt)).toBe('2');
    await deliver(`${TOPIC}.retry`, sent[1].messages[0]);
    expect(sent.map((s) => s.topic)).toEqual([`${TOPIC}.retry`, `${TOPIC}.retry`, `${TOPIC}.dlq`]);
    const dead = sent[2].messages[0];
    expect(header(dead, H.attempt)).toBe('3');
    expect(header(dead, H.originalTopic)).toBe(TOPIC);
    expect(header(dead, H.errorMessage)).toBe('ECONNRESET');
    expect(dead.value).toEqual(statusRecord().value);
    // every attempt of every delivery ran the handler: 3 inline per delivery
    expect(h.calls.map((c) => c.ctx.attempt)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(h.calls.every((c) => c.ctx.topic === TOPIC)).toBe(true);
  });

  it('waits (heartbeating) until the not-before time of a retry record before running it', async () => {
    const h = handlerFailing(0, () => undefined);
    const { deliver, heartbeats } = await setup({ handler: h.handler });
    const retry: Message = { ...statusRecord(), headers: { ...statusRecord().headers, [H.group]: GROUP, [H.attempt]: '1', [H.notBefore]: String(Date.now() + 40) } };
    const start = Date.now();
    await deliver(`${TOPIC}.retry`, retry);
    expect(Date.now() - start).toBeGreaterThanOrEqual(35);
    expect(heartbeats()).toBeGreaterThan(0);
    expect(h.calls).toHaveLength(1);
  });

  it('succeeds on a retry record and parks nothing', async () => {
    const h = handlerFailing(PLAN.inlineAttempts, () => new RetryableError('throttled', 'later'));
    const { deliver, sent } = await setup({ handler: h.handler });
    await deliver(TOPIC, statusRecord());
    await deliver(`${TOPIC}.retry`, sent[0].messages[0], '3');
    expect(sent).toHaveLength(1);
    expect(h.calls).toHaveLength(PLAN.inlineAttempts + 1);
    expect(h.calls.at(-1)?.ctx).toEqual({ topic: TOPIC, partition: 1, offset: '3', attempt: 1 });
  });

  it("skips another consumer group's retry record", async () => {
    const h = handlerFailing(0, () => undefined);
    const { deliver, sent } = await setup({ handler: h.handler });
    const other: Message = { ...statusRecord(), headers: { ...statusRecord().headers, [H.group]: 'ai-worker', [H.attempt]: '1', [H.notBefore]: '0' } };
    await deliver(`${TOPIC}.retry`, other);
    expect(h.calls).toHaveLength(0);
    expect(sent).toHaveLength(0);
  });

  it('does not commit (eachMessage rejects) when the record cannot be parked', async () => {
    const { deliver } = await setup({ handler: async () => { throw new ValidationError('bad'); }, failSend: true });
    await expect(deliver(TOPIC, statusRecord())).rejects.toThrow('broker unreachable');
  });

  describe('with a topic prefix', () => {
    const prefix = 'unit-abc.';

    it('prefixes the group and the subscribed topics', async () => {
      const { kafka } = await setup({ handler: async () => undefined, prefix });
      expect(kafka.calls.consumerConfig).toMatchObject({ groupId: `${prefix}${GROUP}` });
      expect(kafka.calls.subscribed).toEqual([`${prefix}${TOPIC}`, `${prefix}${TOPIC}.retry`]);
    });

    it('hands the bare topic to the handler and parks on the prefixed companions', async () => {
      const h = handlerFailing(Infinity, () => new RetryableError('timeout', 'slow'));
      const { deliver, sent } = await setup({ handler: h.handler, prefix });
      await deliver(`${prefix}${TOPIC}`, statusRecord());
      expect(h.calls[0].ctx.topic).toBe(TOPIC);
      expect(sent[0].topic).toBe(`${prefix}${TOPIC}.retry`);
      expect(header(sent[0].messages[0], H.originalTopic)).toBe(TOPIC);
      expect(header(sent[0].messages[0], H.group)).toBe(GROUP);
      await deliver(`${prefix}${TOPIC}.retry`, sent[0].messages[0]);
      await deliver(`${prefix}${TOPIC}.retry`, sent[1].messages[0]);
      expect(sent.map((s) => s.topic)).toEqual([`${prefix}${TOPIC}.retry`, `${prefix}${TOPIC}.retry`, `${prefix}${TOPIC}.dlq`]);
    });
  });
});
