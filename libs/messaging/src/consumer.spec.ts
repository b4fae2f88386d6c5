import type { EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage, Producer, ProducerRecord } from 'kafkajs';
import { CloudEvent, RetryableError, ValidationError, WaitError, createEvent, headerValue, toKafkaRecord } from '@omni/contracts';
import { beforeCommit } from './before-commit';
import { EventHandler, EventSubscription, H, HandlerContext, RetryPlan, SubscriptionOptions, TopicAssignment, isDatabaseOutage } from './consumer';
import { ORDERED_WHILE_FRESH, freshActivity } from './fresh-lane';
import type { KafkaSettings } from './settings';

const TOPIC = 'omni.status.v1';
const GROUP = 'router-statuses';
const PLAN: RetryPlan = { inlineAttempts: 3, inlineDelayMs: 1, backoffMs: [5, 5] };

type Message = ProducerRecord['messages'][number];

/** A fake kafkajs client: records what the subscription asks of it and hands back its eachMessage. */
function fakeKafka() {
  const listeners = new Map<string, (e?: unknown) => void>();
  const calls = { consumerConfig: undefined as unknown, subscribed: [] as string[], runConfig: undefined as Record<string, unknown> | undefined, disconnected: 0 };
  let eachMessage: ((p: EachMessagePayload) => Promise<void>) | undefined;
  let eachBatch: ((p: EachBatchPayload) => Promise<void>) | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: (event: string, listener: (e?: unknown) => void) => { listeners.set(event, listener); },
    connect: async () => undefined,
    subscribe: async ({ topics }: { topics: string[] }) => { calls.subscribed.push(...topics); },
    run: async (config: Record<string, unknown> & { eachMessage?: (p: EachMessagePayload) => Promise<void>; eachBatch?: (p: EachBatchPayload) => Promise<void> }) => {
      calls.runConfig = config;
      eachMessage = config.eachMessage;
      eachBatch = config.eachBatch;
    },
    disconnect: async () => { calls.disconnected++; },
  };
  // The topics have three partitions each.
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({ topics: topics.map((name) => ({ name, partitions: [{}, {}, {}] })) }),
  };
  // A fresh lane's lookout (the second consumer of a subscription) joins nothing here: it offers no record.
  const lookout = { events: consumer.events, on: () => undefined, connect: async () => undefined, subscribe: async () => undefined, run: async () => undefined, disconnect: async () => undefined };
  let made = 0;
  const kafka = {
    consumer: (config: unknown) => {
      if (made++ > 0) return lookout;
      calls.consumerConfig = config;
      return consumer;
    },
    admin: () => admin,
  } as unknown as Kafka;
  return {
    kafka,
    calls,
    emit: (event: 'consumer.group_join', payload?: unknown) => listeners.get(event)?.({ payload }),
    eachMessage: (p: EachMessagePayload) => {
      if (!eachMessage) throw new Error('run() was not called with eachMessage');
      return eachMessage(p);
    },
    eachBatch: (p: EachBatchPayload) => {
      if (!eachBatch) throw new Error('run() was not called with eachBatch');
      return eachBatch(p);
    },
  };
}

function fakeProducer(fail: boolean | ((record: ProducerRecord) => boolean) = false) {
  const sent: ProducerRecord[] = [];
  const producer = {
    send: async (record: ProducerRecord) => {
      if (typeof fail === 'function' ? fail(record) : fail) throw new Error('broker unreachable');
      sent.push(record);
      return [];
    },
  } as unknown as Producer;
  return { producer, sent };
}

async function setup(opts: { handler: EventHandler; prefix?: string; failSend?: boolean; groupId?: string; onAssignment?: SubscriptionOptions['onAssignment']; onJoin?: () => void } & Pick<SubscriptionOptions, 'fetchWaitMs' | 'commitOffsets'>) {
  const k = fakeKafka();
  const p = fakeProducer(opts.failSend);
  const settings: KafkaSettings = { brokers: [], clientId: 'unit', topicPrefix: opts.prefix ?? '', partitions: 2, replicationFactor: 1, minInsyncReplicas: 1, sessionTimeoutMs: 6_000 };
  const sub = new EventSubscription(k.kafka, p.producer, settings, { groupId: opts.groupId ?? GROUP, topics: [TOPIC], handler: opts.handler, retry: PLAN, onAssignment: opts.onAssignment, onJoin: opts.onJoin, fetchWaitMs: opts.fetchWaitMs, commitOffsets: opts.commitOffsets });
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
  it("tells onAssignment, after each join, this member's partitions of each subscribed topic (not its retry topic) and the topic's count", async () => {
    const reports: TopicAssignment[][] = [];
    const { kafka } = await setup({ handler: async () => undefined, prefix: 'p.', onAssignment: (a) => void reports.push(a) });
    kafka.emit('consumer.group_join', { memberAssignment: { [`p.${TOPIC}`]: [2, 0], [`p.${TOPIC}.retry`]: [1] } });
    await new Promise((r) => setImmediate(r));
    kafka.emit('consumer.group_join', { memberAssignment: { [`p.${TOPIC}.retry`]: [0] } });
    await new Promise((r) => setImmediate(r));
    expect(reports).toEqual([[{ topic: TOPIC, partitions: [0, 2], total: 3 }], [{ topic: TOPIC, partitions: [], total: 3 }]]);
  });

  it('tells onJoin at every join of the group, as it happens (before the new assignment is handled)', async () => {
    let joins = 0;
    const { kafka } = await setup({ handler: async () => undefined, onJoin: () => { joins++; } });
    kafka.emit('consumer.group_join', { memberAssignment: {} });
    expect(joins).toBe(1);
    kafka.emit('consumer.group_join', { memberAssignment: {} });
    expect(joins).toBe(2);
  });

  it('fetches as records arrive by default; paced (fetchWaitMs) the broker holds a fetch for the period or a megabyte; a group of its own may commit nothing', async () => {
    const plain = await setup({ handler: async () => undefined });
    expect(plain.kafka.calls.consumerConfig).toMatchObject({ maxWaitTimeInMs: 1_000 });
    expect(plain.kafka.calls.consumerConfig).not.toHaveProperty('minBytes');
    expect(plain.kafka.calls.runConfig).toMatchObject({ autoCommit: true, autoCommitInterval: 1_000 });
    const paced = await setup({ handler: async () => undefined, fetchWaitMs: 250, commitOffsets: false });
    expect(paced.kafka.calls.consumerConfig).toMatchObject({ maxWaitTimeInMs: 250, minBytes: 1 << 20 });
    expect(paced.kafka.calls.runConfig).toMatchObject({ autoCommit: false });
  });

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
    expect(h.calls[0].ctx).toEqual({ topic: TOPIC, partition: 1, offset: '42', attempt: 0, lane: 'ordered', origin: { partition: 1, offset: '42' } });
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

  it('lets the handler return before what it deferred (beforeCommit) is done, and finishes the record only after it', async () => {
    let release!: () => void;
    const effect = new Promise<void>((r) => { release = r; });
    let returned = false;
    const { deliver } = await setup({ handler: async () => { await beforeCommit(effect); returned = true; } });
    let delivered = false;
    const delivery = deliver(TOPIC, statusRecord()).then(() => { delivered = true; });
    await new Promise((r) => setImmediate(r));
    expect(returned).toBe(true);
    expect(delivered).toBe(false);
    release();
    await delivery;
    expect(delivered).toBe(true);
  });

  it('tries a record again when an effect its handler deferred failed', async () => {
    let calls = 0;
    const { deliver, sent } = await setup({
      handler: async () => { calls++; await beforeCommit(calls === 1 ? Promise.reject(new RetryableError('timeout', 'broker slow')) : Promise.resolve()); },
    });
    await deliver(TOPIC, statusRecord());
    expect(calls).toBe(2);
    expect(sent).toHaveLength(0);
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

  it('parks a record that waits its turn (WaitError) again and again at its attempt, each wait longer, never to the DLQ; a failure after it spends the budget as before', async () => {
    let waiting = true;
    const h = handlerFailing(Infinity, () => (waiting ? new WaitError('send_held_behind', 'behind msg-1', 10) : new RetryableError('throttled', 'later')));
    const { deliver, sent } = await setup({ handler: h.handler });
    await deliver(TOPIC, statusRecord(), '11');
    // More waits than the plan has retries: none of them is a failure.
    for (let i = 0; i < PLAN.backoffMs.length + 3; i++) await deliver(`${TOPIC}.retry`, sent[i].messages[0], String(500 + i));
    const waits = sent.map((s) => s.messages[0]);
    expect(sent.every((s) => s.topic === `${TOPIC}.retry`)).toBe(true);
    expect(waits.map((m) => header(m, H.attempt))).toEqual(Array(waits.length).fill('1'));
    expect(waits.map((m) => header(m, H.waits))).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(waits.map((m) => header(m, H.errorCode))).toEqual(Array(waits.length).fill('send_held_behind'));
    // Checked again after 10 ms, then 20, 40, 80, 160 and no more than 160 (16×).
    const delays = waits.map((m) => Number(header(m, H.notBefore)) - Number(new Date(header(m, H.failedAt) ?? 0)));
    expect(delays.map((d) => Math.round(Math.log2(d / 10)))).toEqual([0, 1, 2, 3, 4, 4]);
    // Its turn came, and then it failed: the retry budget counts from the attempt it was on.
    waiting = false;
    await deliver(`${TOPIC}.retry`, waits.at(-1) as Message, '600');
    expect(sent.at(-1)?.topic).toBe(`${TOPIC}.retry`);
    expect(header(sent.at(-1)?.messages[0] as Message, H.attempt)).toBe('2');
    expect(header(sent.at(-1)?.messages[0] as Message, H.waits)).toBeUndefined();
    expect(h.calls.map((c) => c.ctx.origin)).toEqual(Array(h.calls.length).fill({ partition: 1, offset: '11' }));
    // Each of the six waits ran the handler once (no in-place retries of a wait); the failure after it
    // ran inlineAttempts times, as any failure.
    expect(h.calls.map((c) => c.ctx.attempt)).toEqual([0, 1, 1, 1, 1, 1, ...Array(PLAN.inlineAttempts).fill(1)]);
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
    expect(h.calls.at(-1)?.ctx).toEqual({ topic: TOPIC, partition: 1, offset: '3', attempt: 1, lane: 'ordered', origin: { partition: 1, offset: '7' } });
  });

  it('keeps where a record first was (origin) across every park, and tells the handler of each retry (ADR 0423: order of a held key)', async () => {
    const h = handlerFailing(Infinity, () => new RetryableError('send_reconciling', 'held'));
    const { deliver, sent } = await setup({ handler: h.handler });
    await deliver(TOPIC, statusRecord(), '11');
    await deliver(`${TOPIC}.retry`, sent[0].messages[0], '500');
    await deliver(`${TOPIC}.retry`, sent[1].messages[0], '501');
    expect(sent.map((s) => s.topic)).toEqual([`${TOPIC}.retry`, `${TOPIC}.retry`, `${TOPIC}.dlq`]);
    // Before, a re-park wrote the retry topic's offset (500) as the original one.
    expect(sent.map((s) => header(s.messages[0], H.originalOffset))).toEqual(['11', '11', '11']);
    expect(sent.map((s) => header(s.messages[0], H.originalPartition))).toEqual(['1', '1', '1']);
    expect(h.calls.map((c) => c.ctx.origin)).toEqual(Array(9).fill({ partition: 1, offset: '11' }));
    expect(h.calls.map((c) => c.ctx.offset)).toEqual(['11', '11', '11', '500', '500', '500', '501', '501', '501']);
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

describe('EventSubscription with keyConcurrency (records of different keys at once within a partition)', () => {
  const record = (conv: string, n: number, headers: Record<string, string> = {}): Message => {
    const event = createEvent({
      type: 'omni.message.status.v1', id: `${conv}/${n}`, source: '/channels/web/a1', subject: conv, tenantId: 't1', region: 'eu',
      data: { tenantId: 't1', region: 'eu', channel: 'web', accountId: 'a1', conversationId: conv, messageId: `m-${n}`, status: 'read', timestamp: '2025-01-01T00:00:00.000Z' },
    });
    const r = toKafkaRecord(event);
    return { key: Buffer.from(r.key), value: r.value, headers: { ...r.headers, ...headers } };
  };

  const tick = () => new Promise((r) => setImmediate(r));
  const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** A handler that records start/end order and in-flight counts, each call held as long as `holdMs(event)` says. */
  function tracingHandler(holdMs: (id: string) => number | Promise<void> = () => 0, fail?: (id: string) => Error | undefined) {
    const started: string[] = [];
    const finished: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const handler: EventHandler = async (event) => {
      started.push(event.id);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const hold = holdMs(event.id);
        await (typeof hold === 'number' ? sleepMs(hold) : hold);
        const err = fail?.(event.id);
        if (err) throw err;
      } finally {
        inFlight--;
        finished.push(event.id);
      }
    };
    return { handler, started, finished, maxInFlight: () => maxInFlight };
  }

  async function setupBatch(opts: { handler: EventHandler; keyConcurrency: number; failSend?: (r: ProducerRecord) => boolean; freshLane?: SubscriptionOptions['freshLane']; commitOffsets?: boolean }) {
    const k = fakeKafka();
    const p = fakeProducer(opts.failSend);
    const settings: KafkaSettings = { brokers: [], clientId: 'unit', topicPrefix: '', partitions: 2, replicationFactor: 1, minInsyncReplicas: 1, sessionTimeoutMs: 6_000 };
    const sub = new EventSubscription(k.kafka, p.producer, settings, {
      groupId: GROUP, topics: [TOPIC], handler: opts.handler, retry: PLAN, keyConcurrency: opts.keyConcurrency, ...(opts.freshLane ? { freshLane: opts.freshLane } : {}),
      ...(opts.commitOffsets === false ? { commitOffsets: false } : {}),
    });
    await sub.start();
    const resolved: string[] = [];
    let heartbeats = 0;
    let commits = 0;
    let running = true;
    const deliver = (topic: string, messages: Message[], firstOffset = 100, highWatermark?: string) =>
      k.eachBatch({
        batch: {
          topic, partition: 0, messages: messages.map((m, i) => ({ ...m, offset: String(firstOffset + i), timestamp: '0', attributes: 0 }) as KafkaMessage),
          ...(highWatermark !== undefined ? { highWatermark } : {}),
        },
        resolveOffset: (offset: string) => { resolved.push(offset); },
        heartbeat: async () => { heartbeats++; },
        commitOffsetsIfNecessary: async () => { commits++; },
        isRunning: () => running,
        isStale: () => false,
        pause: () => () => undefined,
        uncommittedOffsets: () => ({ topics: [] }),
      } as unknown as EachBatchPayload);
    return {
      kafka: k, sent: p.sent, deliver, resolved,
      heartbeats: () => heartbeats, commits: () => commits,
      stop: () => { running = false; },
    };
  }

  it('commits nothing with keyConcurrency either when the subscription commits no offsets (a group of its own)', async () => {
    for (const commitOffsets of [true, false]) {
      const s = await setupBatch({ handler: async () => undefined, keyConcurrency: 4, commitOffsets });
      await s.deliver(TOPIC, [record('a', 1), record('b', 1)]);
      expect(s.kafka.calls.runConfig).toMatchObject({ autoCommit: commitOffsets });
      expect(s.resolved.length).toBeGreaterThan(0);
      expect(s.commits() > 0).toBe(commitOffsets);
    }
  });

  it('runs eachBatch without auto-resolve when keyConcurrency > 1, eachMessage otherwise', async () => {
    const keyed = await setupBatch({ handler: async () => undefined, keyConcurrency: 8 });
    expect(keyed.kafka.calls.runConfig).toMatchObject({ eachBatchAutoResolve: false, autoCommit: true });
    expect(keyed.kafka.calls.runConfig?.eachBatch).toEqual(expect.any(Function));
    expect(keyed.kafka.calls.runConfig?.eachMessage).toBeUndefined();
    const plain = await setup({ handler: async () => undefined });
    expect(plain.kafka.calls.runConfig?.eachMessage).toEqual(expect.any(Function));
    expect(plain.kafka.calls.runConfig?.eachBatch).toBeUndefined();
  });

  it('tells the handler how many records of its partition were behind each one when the batch was fetched', async () => {
    const seen: [string, number | undefined][] = [];
    const { deliver } = await setupBatch({ handler: async (event, ctx) => { seen.push([event.id, ctx.behind]); }, keyConcurrency: 2 });
    // Offsets 100 and 101 of a partition whose end (high watermark) is 150: 49 and 48 behind them.
    await deliver(TOPIC, [record('a', 1), record('b', 1)], 100, '150');
    // A batch without a high watermark (never from kafkajs) tells nothing rather than a wrong count.
    await deliver(TOPIC, [record('c', 1)], 102);
    expect(seen).toEqual([['a/1', 49], ['b/1', 48], ['c/1', undefined]]);
  });

  it('keeps the order of each key while different keys run at once, never more than the limit', async () => {
    // a-1 is slow: the other keys overtake it, a-2 and a-3 wait for it.
    const t = tracingHandler((id) => (id === 'a/1' ? 40 : 5));
    const { deliver, resolved, sent, heartbeats } = await setupBatch({ handler: t.handler, keyConcurrency: 3 });
    const batch = [record('a', 1), record('b', 1), record('a', 2), record('c', 1), record('b', 2), record('d', 1), record('a', 3), record('e', 1)];
    await deliver(TOPIC, batch);
    expect(t.finished).toHaveLength(8);
    for (const key of ['a', 'b']) {
      const own = t.started.filter((id) => id.startsWith(`${key}/`));
      expect(own).toEqual([...own].sort());
      expect(t.finished.filter((id) => id.startsWith(`${key}/`))).toEqual(own);
    }
    // b, c… finished while a/1 was still held: concurrency happened, within the limit.
    expect(t.finished.indexOf('b/1')).toBeLessThan(t.finished.indexOf('a/1'));
    expect(t.maxInFlight()).toBe(3);
    expect(resolved.at(-1)).toBe('107');
    expect(sent).toHaveLength(0);
    expect(heartbeats()).toBeGreaterThanOrEqual(8);
  });

  it('yields to a fresh lane: while one of its records runs, the batch starts at most ORDERED_WHILE_FRESH records; the rest go on once it ends', async () => {
    const blocked = new Map<string, () => void>();
    const t = tracingHandler((id) => new Promise<void>((r) => { blocked.set(id, r); }));
    const { deliver, resolved } = await setupBatch({ handler: t.handler, keyConcurrency: 8, freshLane: { capacity: 2, minBacklog: 1_000 } });
    const until = async (cond: () => boolean) => { for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setImmediate(r)); };
    freshActivity.started();
    let ended = false;
    try {
      const run = deliver(TOPIC, ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => record(key, 1)));
      await until(() => t.started.length >= ORDERED_WHILE_FRESH);
      await sleepMs(20);
      expect(t.started).toHaveLength(ORDERED_WHILE_FRESH);
      freshActivity.ended();
      ended = true;
      await until(() => t.started.length === 6);
      expect(t.started).toHaveLength(6);
      for (const go of blocked.values()) go();
      await run;
      expect(resolved.at(-1)).toBe('105');
    } finally {
      if (!ended) freshActivity.ended();
    }
  });

  it('never resolves an offset past a record that is still running', async () => {
    let releaseSlow!: () => void;
    const slow = new Promise<void>((r) => { releaseSlow = r; });
    const t = tracingHandler((id) => (id === 'b/1' ? slow : 0));
    const { deliver, resolved } = await setupBatch({ handler: t.handler, keyConcurrency: 4 });
    const running = deliver(TOPIC, [record('a', 1), record('b', 1), record('c', 1), record('d', 1), record('c', 2)]);
    while (t.finished.length < 4) await tick();
    // a/1 (offset 100) is done and resolved; b/1 (101) holds the frontier although 102–104 are done.
    expect(t.finished).toEqual(expect.arrayContaining(['a/1', 'c/1', 'd/1', 'c/2']));
    expect(resolved).toEqual(['100']);
    releaseSlow();
    await running;
    expect(resolved).toEqual(['100', '104']);
  });

  it('a record that cannot be parked stops the batch: nothing new starts, the frontier stays below it, the error reaches kafkajs', async () => {
    // b/1 fails (and cannot be parked) while a/1 is still running in the other slot.
    const t = tracingHandler((id) => (id === 'b/1' ? 5 : 30), (id) => (id === 'b/1' ? new ValidationError('bad data') : undefined));
    const { deliver, resolved } = await setupBatch({ handler: t.handler, keyConcurrency: 2, failSend: () => true });
    const batch = [record('a', 1), record('b', 1), record('c', 1), record('d', 1), record('b', 2)];
    await expect(deliver(TOPIC, batch)).rejects.toThrow('broker unreachable');
    // a/1, in flight beside it, finished and is resolved; nothing after b/1 started or was resolved.
    expect(t.started).toEqual(['a/1', 'b/1']);
    expect(t.finished).toEqual(['b/1', 'a/1']);
    expect(resolved).toEqual(['100']);
  });

  it('applies the retry/DLQ policy per record and commits past parked ones', async () => {
    const t = tracingHandler(() => 1, (id) => (id === 'b/1' ? new ValidationError('bad') : id === 'c/1' ? new RetryableError('timeout', 'slow') : undefined));
    const { deliver, resolved, sent } = await setupBatch({ handler: t.handler, keyConcurrency: 4 });
    await deliver(TOPIC, [record('a', 1), record('b', 1), record('c', 1), record('b', 2)]);
    expect(sent.map((s) => [s.topic, header(s.messages[0], 'ce_id')])).toEqual(expect.arrayContaining([[`${TOPIC}.dlq`, 'b/1'], [`${TOPIC}.retry`, 'c/1']]));
    expect(sent).toHaveLength(2);
    // c/1 was tried inlineAttempts times in place before it was parked; b/2 still ran after b/1 was dead-lettered.
    expect(t.started.filter((id) => id === 'c/1')).toHaveLength(PLAN.inlineAttempts);
    expect(t.started.indexOf('b/2')).toBeGreaterThan(t.started.indexOf('b/1'));
    expect(resolved.at(-1)).toBe('103');
  });

  it('a retry record waiting for its not-before time does not hold back other keys, nor a handler slot', async () => {
    const t = tracingHandler();
    const { deliver, resolved, heartbeats } = await setupBatch({ handler: t.handler, keyConcurrency: 2 });
    const retry = (conv: string, notBefore: number) => record(conv, 1, { [H.group]: GROUP, [H.attempt]: '1', [H.notBefore]: String(notBefore) });
    const start = Date.now();
    const running = deliver(`${TOPIC}.retry`, [retry('late', start + 400), retry('x', 0), retry('y', 0), retry('z', 0)]);
    while (t.finished.length < 3) await tick();
    expect(Date.now() - start).toBeLessThan(400);
    expect(t.finished).toEqual(['x/1', 'y/1', 'z/1']);
    expect(resolved).toEqual([]); // the late one (offset 100) holds the frontier
    await running;
    expect(Date.now() - start).toBeGreaterThanOrEqual(395);
    expect(t.finished.at(-1)).toBe('late/1');
    expect(resolved).toEqual(['103']);
    expect(heartbeats()).toBeGreaterThan(4);
  });

  it('stops starting records once the consumer stops, finishing those in flight', async () => {
    const t = tracingHandler(() => 10);
    const { deliver, resolved, stop } = await setupBatch({ handler: t.handler, keyConcurrency: 2 });
    const running = deliver(TOPIC, Array.from({ length: 10 }, (_, i) => record(`k${i}`, 1)));
    while (t.started.length < 2) await tick();
    stop();
    await running;
    expect(t.started).toEqual(['k0/1', 'k1/1']);
    expect(t.finished).toHaveLength(2);
    expect(resolved.at(-1)).toBe('101');
  });

  it('keeps records without a key in partition order among themselves', async () => {
    const t = tracingHandler((id) => (id === 'n/1' ? 20 : 1));
    const { deliver } = await setupBatch({ handler: t.handler, keyConcurrency: 4 });
    const keyless = (n: number) => ({ ...record('n', n), key: null });
    await deliver(TOPIC, [keyless(1), record('a', 1), keyless(2), keyless(3)]);
    expect(t.finished.filter((id) => id.startsWith('n/'))).toEqual(['n/1', 'n/2', 'n/3']);
    expect(t.finished.indexOf('a/1')).toBeLessThan(t.finished.indexOf('n/1'));
  });
});

describe('isDatabaseOutage (issue 15 #10)', () => {
  const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

  it.each([
    ['the driver cannot reach the server', named('MongoNetworkError')],
    ['no server selectable', named('MongoServerSelectionError')],
    ['mongoose buffering timed out', named('MongooseError', 'Operation `messages.insertOne()` buffering timed out after 10000ms')],
    ['an open breaker around the database', new RetryableError('dependency_unavailable', 'mongodb:history: circuit open')],
  ])('holds for %s', (_name, err) => {
    expect(isDatabaseOutage(err)).toBe(true);
  });

  it.each([
    ['a duplicate key', Object.assign(named('MongoServerError'), { code: 11000 })],
    ['an open breaker around a provider', new RetryableError('dependency_unavailable', 'whatsapp: circuit open')],
    ['a validation error', new ValidationError('bad')],
    ['a plain error', new Error('boom')],
    ['not an error', 'down'],
  ])('does not hold for %s', (_name, err) => {
    expect(isDatabaseOutage(err)).toBe(false);
  });
});
