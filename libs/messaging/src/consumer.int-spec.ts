import { Kafka, Producer } from 'kafkajs';
import { CloudEvent, RetryableError, TOPICS, createEvent, dlqTopic, outboundTopic, toKafkaRecord } from '@omni/contracts';
import { EventSubscription } from './consumer';
import { EventPublisher } from './publisher';
import { KafkaSettings, createKafka, kafkaSettingsFromEnv } from './settings';
import { ensureTopics, resolveTopic } from './topics';
import { replayDeadLetters } from './replay';
import { H } from './consumer';
import { readRawRecords } from '../../../test/support/kafka-records';

/** The consumer policy on the real broker: poison records are dead-lettered and the partition flows on. */
describe('consumer policy on real Kafka', () => {
  const prefix = `int-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}.`;
  const settings: KafkaSettings = { ...kafkaSettingsFromEnv('int-test'), topicPrefix: prefix, partitions: 1, sessionTimeoutMs: 6_000 };
  let kafka: Kafka;
  let producer: Producer;
  const subs: EventSubscription[] = [];

  // A topic of its own for the keyed-concurrency specs (one partition, like every topic here).
  const KEYED = outboundTopic('telegram');
  // And one for the fresh lane's spec, which needs a backlog of its own.
  const FRESH = TOPICS.inbound;
  const keyed = (conv: string, n: number): CloudEvent =>
    createEvent({
      type: 'omni.message.status.v1', id: `${conv}/${n}`, source: '/test', subject: conv, tenantId: 't1', region: 'local',
      data: {
        tenantId: 't1', region: 'local', channel: 'telegram', accountId: 'a1', conversationId: conv,
        messageId: `${conv}-${n}`, status: 'sent', timestamp: new Date().toISOString(),
      },
    });

  const status = (n: number): CloudEvent =>
    createEvent({
      type: 'omni.message.status.v1',
      id: `status-${n}`,
      source: '/test',
      subject: 'conv-1',
      tenantId: 't1',
      region: 'local',
      data: {
        tenantId: 't1', region: 'local', channel: 'web', accountId: 'a1', conversationId: 'conv-1',
        messageId: `m-${n}`, status: 'sent', timestamp: new Date().toISOString(),
      },
    });

  beforeAll(async () => {
    kafka = createKafka(settings);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, settings, [TOPICS.status, KEYED, FRESH]);
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(subs.map((s) => s.stop()));
    await producer?.disconnect();
  });

  const readAll = (topic: string, expected: number, reader = 'reader') => readRawRecords(kafka, resolveTopic(settings, topic), expected, `${prefix}${reader}-${topic}`);

  it('dead-letters a record that fails validation, with its error, and keeps consuming the partition', async () => {
    const handled: string[] = [];
    const sub = new EventSubscription(kafka, producer, settings, {
      groupId: 'poison-test',
      topics: [TOPICS.status],
      handler: async (event) => {
        handled.push(event.id);
      },
    });
    subs.push(sub);
    await sub.start();

    const publisher = new EventPublisher(producer, settings);
    await publisher.publish(TOPICS.status, status(1));
    // Poison: not a CloudEvent at all, on the same partition (same key) between two good records.
    await producer.send({ topic: resolveTopic(settings, TOPICS.status), acks: -1, messages: [{ key: 'conv-1', value: '{not json', headers: { foo: 'bar' } }] });
    const bad = toKafkaRecord(status(3));
    await producer.send({
      topic: resolveTopic(settings, TOPICS.status),
      acks: -1,
      messages: [{ key: bad.key, value: bad.value, headers: { ...bad.headers, ce_specversion: '0.3' } }],
    });
    await publisher.publish(TOPICS.status, status(2));

    const dead = await readAll(dlqTopic(TOPICS.status), 2);
    expect(dead.map((d) => d.value.toString())).toEqual(['{not json', bad.value.toString()]);
    expect(dead[0].headers.foo).toBe('bar');
    expect(dead[0].headers[H.errorCode]).toBe('validation_failed');
    expect(dead[0].headers[H.errorMessage]).toMatch(/not a CloudEvent/);
    expect(dead[1].headers[H.errorMessage]).toMatch(/specversion/);
    expect(dead[0].headers[H.originalTopic]).toBe(TOPICS.status);
    expect(dead[0].key).toBe('conv-1');

    const deadline = Date.now() + 20_000;
    while (handled.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(handled).toEqual(['status-1', 'status-2']);

    // Once the cause is fixed (here: the failing consumer is gone), the replay command moves them
    // back: same key and value, failure headers gone.
    await sub.stop();
    expect(await replayDeadLetters(kafka, settings, TOPICS.status, { idleMs: 1_500 })).toBe(2);
    const after = await readAll(TOPICS.status, 6, 'after-replay');
    expect(after).toHaveLength(6);
    expect(after.slice(-2).map((r) => r.value.toString())).toEqual(['{not json', bad.value.toString()]);
    expect(after.slice(-2).every((r) => !Object.keys(r.headers).some((k) => k.startsWith('x-omni-')))).toBe(true);
    // Replayed once: a second run finds nothing new.
    expect(await replayDeadLetters(kafka, settings, TOPICS.status, { idleMs: 1_500 })).toBe(0);
  });

  it('retries a failing handler through the retry topic and succeeds on a later attempt', async () => {
    let calls = 0;
    const done: string[] = [];
    const sub = new EventSubscription(kafka, producer, settings, {
      groupId: 'retry-test',
      topics: [TOPICS.status],
      retry: { inlineAttempts: 2, inlineDelayMs: 10, backoffMs: [300, 300] },
      handler: async (event) => {
        if (event.id !== 'status-9') return;
        calls++;
        if (calls < 4) throw new Error('dependency down'); // 2 inline + 1st retry attempt fail
        done.push(event.id);
      },
    });
    subs.push(sub);
    await sub.start();
    await new EventPublisher(producer, settings).publish(TOPICS.status, status(9));
    const deadline = Date.now() + 30_000;
    while (!done.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(done).toEqual(['status-9']);
    expect(calls).toBe(4);
  });

  it('holds a record while the database is down instead of dead-lettering it, and resumes by itself (issue 15 #10)', async () => {
    // A topic of its own, so that what other specs parked does not count here.
    const OUTAGE = outboundTopic('messenger');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, settings, [OUTAGE]);
    const parked = async () => {
      let n = 0;
      for (const t of [`${OUTAGE}.retry`, dlqTopic(OUTAGE)]) n += Number((await admin.fetchTopicOffsets(resolveTopic(settings, t)))[0].high);
      return n;
    };
    let down = true;
    const calls: string[] = [];
    const done: string[] = [];
    const sub = new EventSubscription(kafka, producer, settings, {
      groupId: 'outage-test',
      topics: [OUTAGE],
      retry: { inlineAttempts: 2, inlineDelayMs: 10, backoffMs: [100] },
      outage: { backoffMs: [100, 400] },
      handler: async (event) => {
        calls.push(event.id);
        if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoNetworkError' });
        done.push(event.id);
      },
    });
    subs.push(sub);
    try {
      await sub.start();
      await new EventPublisher(producer, settings).publish(OUTAGE, [keyed('db', 0), keyed('db', 1)]);
      const deadline = Date.now() + 30_000;
      // Without the hold, db/0 went to the retry topic and then the DLQ after 4 tries.
      while (calls.length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(calls.length).toBeGreaterThanOrEqual(8);
      expect(new Set(calls)).toEqual(new Set(['db/0'])); // the partition waits behind it, in order
      expect(await parked()).toBe(0);
      down = false;
      while (done.length < 2 && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 100));
      expect(done).toEqual(['db/0', 'db/1']);
      expect(await parked()).toBe(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('keeps its group membership through a handler longer than the session, handling the record once (issue 15 #10)', async () => {
    const SLOW = outboundTopic('whatsapp');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, settings, [SLOW]);
    await admin.disconnect();
    const calls: string[] = [];
    let finished = 0;
    const sub = new EventSubscription(kafka, producer, settings, {
      groupId: 'long-handler-test',
      topics: [SLOW],
      handler: async (event) => {
        calls.push(event.id);
        // 1.5 sessions (sessionTimeoutMs is 6 s here): without heartbeats the broker evicts the member.
        await new Promise((r) => setTimeout(r, settings.sessionTimeoutMs * 1.5));
        finished++;
      },
    });
    subs.push(sub);
    await sub.start();
    const deadline = Date.now() + 20_000;
    while (!sub.ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new EventPublisher(producer, settings).publish(SLOW, [keyed('slow', 0), keyed('slow', 1)]);
    while (finished < 2 && Date.now() < deadline + 20_000) await new Promise((r) => setTimeout(r, 200));
    // A rebalance mid-handler would have redelivered slow/0 (its offset could not be committed).
    await new Promise((r) => setTimeout(r, 2_000));
    expect(calls).toEqual(['slow/0', 'slow/1']);
  }, 60_000);

  describe('keyConcurrency', () => {
    const waitFor = async (what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) => {
      const deadline = Date.now() + ms;
      while (!(await cond())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const committed = async (groupId: string) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [t] = await admin.fetchOffsets({ groupId: prefix + groupId, topics: [resolveTopic(settings, KEYED)] });
        return Number(t.partitions[0].offset);
      } finally {
        await admin.disconnect();
      }
    };
    const endOffset = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return Number((await admin.fetchTopicOffsets(resolveTopic(settings, KEYED)))[0].high);
      } finally {
        await admin.disconnect();
      }
    };

    it('handles different keys of one partition at once, each key in order, every record once', async () => {
      const base = await endOffset();
      const seen = new Map<string, number[]>();
      let inFlight = 0;
      let maxInFlight = 0;
      const sub = new EventSubscription(kafka, producer, settings, {
        groupId: 'keyed-order', topics: [KEYED], keyConcurrency: 4,
        handler: async (event) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));
          const [conv, n] = event.id.split('/');
          seen.set(conv, [...(seen.get(conv) ?? []), Number(n)]);
          inFlight--;
        },
      });
      subs.push(sub);
      // Interleaved keys, all on the one partition, before the consumer starts: one backlog to drain.
      const events = Array.from({ length: 10 }, (_, n) => ['k1', 'k2', 'k3', 'k4', 'k5'].map((c) => keyed(`order-${c}`, n))).flat();
      await new EventPublisher(producer, settings).publish(KEYED, events);
      await sub.start();
      await waitFor('50 records', () => [...seen.values()].reduce((a, v) => a + v.length, 0) >= 50);
      for (const conv of ['k1', 'k2', 'k3', 'k4', 'k5']) expect(seen.get(`order-${conv}`)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(maxInFlight).toBeGreaterThan(1);
      expect(maxInFlight).toBeLessThanOrEqual(4);
      await waitFor('the commit of the whole backlog', async () => (await committed('keyed-order')) === base + 50);
      await sub.stop();
    });

    it('tells every attempt of a record, on the retry topic too, where it first was (origin), across re-parks (ADR 0423: order of a held key)', async () => {
      const base = await endOffset();
      const seen: { attempt: number; topic: string; offset: string; origin?: { partition: number; offset: string } }[] = [];
      const sub = new EventSubscription(kafka, producer, settings, {
        groupId: 'keyed-origin', topics: [KEYED], keyConcurrency: 4, retry: { inlineAttempts: 1, inlineDelayMs: 1, backoffMs: [100, 100, 100] },
        handler: async (event, ctx) => {
          if (event.id !== 'origin-held/1') return;
          seen.push({ attempt: ctx.attempt, topic: ctx.topic, offset: ctx.offset, ...(ctx.origin ? { origin: ctx.origin } : {}) });
          if (ctx.attempt < 2) throw new RetryableError('send_reconciling', 'held');
        },
      });
      subs.push(sub);
      await new EventPublisher(producer, settings).publish(KEYED, [keyed('origin-held', 0), keyed('origin-held', 1)]);
      await sub.start();
      await waitFor('the third attempt', () => seen.length >= 3);
      const origin = { partition: 0, offset: String(base + 1) };
      expect(seen.map((s) => s.attempt)).toEqual([0, 1, 2]);
      expect(seen.every((s) => s.topic === KEYED)).toBe(true);
      expect(seen.map((s) => s.origin)).toEqual([origin, origin, origin]);
      // The retry attempts ran at the retry topic's own offsets, which are not the origin.
      expect(new Set(seen.map((s) => s.offset)).size).toBe(3);
      await sub.stop();
    });

    it('commits, while a record runs, only up to it however many after it are done', async () => {
      const first = await endOffset();
      let release!: () => void;
      const held = new Promise<void>((r) => { release = r; });
      const done: string[] = [];
      const sub = new EventSubscription(kafka, producer, settings, {
        groupId: 'keyed-frontier', topics: [KEYED], keyConcurrency: 4,
        handler: async (event) => {
          if (event.id === 'slow/0') await held;
          done.push(event.id);
        },
      });
      subs.push(sub);
      await sub.start();
      await waitFor('the group to join', () => sub.ready);
      try {
        const publisher = new EventPublisher(producer, settings);
        await publisher.publish(KEYED, [keyed('fast-a', 0), keyed('slow', 0), keyed('fast-b', 0), keyed('fast-c', 0), keyed('slow', 1), keyed('fast-a', 1)]);
        // fromBeginning: the group also sees the earlier spec's records; wait for this spec's fast ones.
        await waitFor('the fast keys', () => ['fast-a/0', 'fast-b/0', 'fast-c/0', 'fast-a/1'].every((id) => done.includes(id)));
        expect(done).not.toContain('slow/1');
        // Committed on the auto-commit interval while slow/0 runs, and never past it: a crash now
        // would redeliver slow/0 and what follows it, and lose nothing.
        await waitFor('the commit of what is below slow/0', async () => (await committed('keyed-frontier')) === first + 1, 10_000);
        await new Promise((r) => setTimeout(r, 1_500));
        expect(await committed('keyed-frontier')).toBe(first + 1);
      } finally {
        release();
      }
      await waitFor('slow/1', () => done.includes('slow/1'));
      expect(done.indexOf('slow/1')).toBeGreaterThan(done.indexOf('slow/0'));
      await waitFor('the commit past the batch', async () => (await committed('keyed-frontier')) === first + 6);
      await sub.stop();
    });

    it('answers a newcomer while the backlog ahead of it cannot move (fresh lane, ADR 0012), each record once, each key in order', async () => {
      let open!: () => void;
      const gate = new Promise<void>((r) => { open = r; });
      const handled: string[] = [];
      const sub = new EventSubscription(kafka, producer, settings, {
        groupId: 'fresh-lane', topics: [FRESH], keyConcurrency: 4, freshLane: { minBacklog: 20, capacity: 2 },
        handler: async (event) => {
          // The backlog's conversations are stuck (a slow store, a dead connector): every slot of
          // the ordered lane waits here, so nothing behind them moves on that lane.
          if (event.id.startsWith('backlog-')) await gate;
          handled.push(event.id);
        },
      });
      subs.push(sub);
      await sub.start();
      await waitFor('both lanes to join (the lookout at the partition\'s end)', () => sub.ready && sub.freshLaneReady);
      const publisher = new EventPublisher(producer, settings);
      try {
        const backlog = Array.from({ length: 20 }, (_, n) => ['b0', 'b1', 'b2', 'b3', 'b4'].map((c) => keyed(`backlog-${c}`, n))).flat();
        await publisher.publish(FRESH, backlog);
        // A customer of the backlog writes again, then a newcomer writes twice.
        await publisher.publish(FRESH, [keyed('backlog-b0', 20), keyed('newcomer', 0), keyed('newcomer', 1)]);
        await waitFor('the newcomer\'s two messages, with the backlog stuck', () => handled.includes('newcomer/1'));
        expect(handled).toEqual(['newcomer/0', 'newcomer/1']);
      } finally {
        open();
      }
      await waitFor('the whole backlog', () => handled.length >= 103);
      // Once each: the ordered lane waited for the fresh lane's outcome instead of running them again.
      expect(new Set(handled).size).toBe(handled.length);
      expect(handled).toHaveLength(103);
      for (const c of ['b0', 'b1', 'b2', 'b3', 'b4']) {
        const mine = handled.filter((id) => id.startsWith(`backlog-${c}/`)).map((id) => Number(id.split('/')[1]));
        expect(mine).toEqual(Array.from({ length: c === 'b0' ? 21 : 20 }, (_, n) => n));
      }
      // Committed past the fresh records only after the ordered lane passed them: the end of the log.
      const end = async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          const [high] = await admin.fetchTopicOffsets(resolveTopic(settings, FRESH));
          const [t] = await admin.fetchOffsets({ groupId: `${prefix}fresh-lane`, topics: [resolveTopic(settings, FRESH)] });
          return { high: Number(high.high), committed: Number(t.partitions[0].offset) };
        } finally {
          await admin.disconnect();
        }
      };
      await waitFor('the commit at the end of the log', async () => {
        const e = await end();
        return e.committed === e.high;
      });
      await sub.stop();
    });
  });
});
