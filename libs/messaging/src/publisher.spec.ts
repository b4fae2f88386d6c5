import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { Producer, ProducerBatch } from 'kafkajs';
import { CloudEvent, RetryableError, createEvent } from '@omni/contracts';
import { EventPublisher, PublisherOptions } from './publisher';
import type { KafkaSettings } from './settings';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

interface Deferred { resolve: () => void; reject: (err: unknown) => void }

/** A producer whose sendBatch calls are recorded and settled by the test (or at once when auto). */
function fakeProducer(mode: 'auto' | 'manual' | 'fail' = 'auto') {
  const batches: ProducerBatch[] = [];
  const pending: Deferred[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const producer = {
    sendBatch: (batch: ProducerBatch) => {
      batches.push(batch);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const settle = new Promise<void>((resolve, reject) => {
        if (mode === 'auto') resolve();
        else if (mode === 'fail') reject(new Error('NOT_ENOUGH_REPLICAS'));
        else pending.push({ resolve, reject });
      });
      return settle.then(() => []).finally(() => { inFlight--; });
    },
  } as unknown as Producer;
  return { producer, batches, pending, maxInFlight: () => maxInFlight };
}

function setup(mode: 'auto' | 'manual' | 'fail' = 'auto', options: PublisherOptions = {}, topicPrefix = '') {
  const fake = fakeProducer(mode);
  const settings: KafkaSettings = { brokers: [], clientId: 'unit', topicPrefix, partitions: 1, replicationFactor: 1, minInsyncReplicas: 1, sessionTimeoutMs: 6_000 };
  return { ...fake, publisher: new EventPublisher(fake.producer, settings, options) };
}

function event(n: number, conversation = 'conv-1'): CloudEvent {
  return createEvent({
    type: 'omni.message.status.v1', id: `status-${n}`, source: '/channels/web/a1', subject: conversation, tenantId: 't1', region: 'eu',
    data: { tenantId: 't1', region: 'eu', channel: 'web', accountId: 'a1', conversationId: conversation, messageId: `m-${n}`, status: 'sent', timestamp: '2025-01-01T00:00:00.000Z' },
  });
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const ids = (b: ProducerBatch) => (b.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.headers?.ce_id)));

describe('EventPublisher', () => {
  beforeAll(() => {
    // A real tracer and the W3C propagator, so spans have ids to put into traceparent.
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
  });

  it('coalesces publishes of one tick into one sendBatch with acks=all, grouped by topic', async () => {
    const { publisher, batches } = setup();
    await Promise.all([
      publisher.publish('omni.status.v1', event(1)),
      publisher.publish('omni.conversation.v1', event(2)),
      publisher.publish('omni.status.v1', [event(3), event(4)]),
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0].acks).toBe(-1);
    expect(batches[0].topicMessages?.map((t) => [t.topic, t.messages.map((m) => String(m.headers?.ce_id))])).toEqual([
      ['omni.status.v1', ['status-1', 'status-3', 'status-4']],
      ['omni.conversation.v1', ['status-2']],
    ]);
  });

  it('writes CloudEvents binary-mode records with a traceparent of its own span per publish', async () => {
    const { publisher, batches } = setup();
    await Promise.all([publisher.publish('omni.status.v1', event(1, 'conv-a')), publisher.publish('omni.status.v1', event(2, 'conv-b'))]);
    const [first, second] = batches[0].topicMessages?.[0].messages ?? [];
    expect(first.key).toBe('conv-a');
    expect(JSON.parse(String(first.value))).toMatchObject({ messageId: 'm-1', conversationId: 'conv-a' });
    expect(first.headers).toMatchObject({
      ce_specversion: '1.0', ce_id: 'status-1', ce_type: 'omni.message.status.v1', ce_source: '/channels/web/a1', ce_subject: 'conv-a',
      ce_tenantid: 't1', ce_region: 'eu', 'content-type': 'application/json', traceparent: expect.stringMatching(TRACEPARENT),
    });
    expect(second.headers?.traceparent).toEqual(expect.stringMatching(TRACEPARENT));
    expect(second.headers?.traceparent).not.toBe(first.headers?.traceparent);
  });

  it('prefixes the topic', async () => {
    const { publisher, batches } = setup('auto', {}, 'unit-x.');
    await publisher.publish('omni.status.v1', event(1));
    expect(batches[0].topicMessages?.[0].topic).toBe('unit-x.omni.status.v1');
  });

  it('sends nothing for an empty list', async () => {
    const { publisher, batches } = setup();
    await publisher.publish('omni.status.v1', []);
    await tick();
    expect(batches).toHaveLength(0);
  });

  it('rejects every caller of a failed batch', async () => {
    const { publisher, batches } = setup('fail');
    const results = await Promise.allSettled([publisher.publish('omni.status.v1', event(1)), publisher.publish('omni.status.v1', event(2))]);
    expect(batches).toHaveLength(1);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results.map((r) => (r as PromiseRejectedResult).reason as Error).map((e) => e.message)).toEqual(['NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS']);
  });

  it('keeps one request in flight: the next batch waits for the first and carries what queued meanwhile', async () => {
    const { publisher, batches, pending, maxInFlight } = setup('manual');
    const settled: string[] = [];
    const a = publisher.publish('omni.status.v1', event(1)).then(() => settled.push('a'));
    await tick();
    expect(batches).toHaveLength(1);
    const b = publisher.publish('omni.status.v1', event(2)).then(() => settled.push('b'));
    const c = publisher.publish('omni.status.v1', event(3)).then(() => settled.push('c'));
    await tick();
    await tick();
    expect(batches).toHaveLength(1);
    expect(settled).toEqual([]);
    pending[0].resolve();
    await a;
    await tick();
    expect(batches).toHaveLength(2);
    expect(ids(batches[1])).toEqual(['status-2', 'status-3']);
    expect(settled).toEqual(['a']);
    pending[1].resolve();
    await Promise.all([b, c]);
    expect(settled).toEqual(['a', 'b', 'c']);
    expect(maxInFlight()).toBe(1);
  });

  it('splits a flush at maxBatch records', async () => {
    const { publisher, batches } = setup('auto', { maxBatch: 2 });
    await Promise.all([1, 2, 3].map((n) => publisher.publish('omni.status.v1', event(n))));
    expect(batches.map(ids)).toEqual([['status-1', 'status-2'], ['status-3']]);
  });

  it('drain() waits for in-flight and queued records, then refuses later publishes', async () => {
    const { publisher, batches, pending } = setup('manual');
    const first = publisher.publish('omni.status.v1', event(1));
    await tick();
    const queued = publisher.publish('omni.status.v1', event(2));
    let drained = false;
    const draining = publisher.drain().then(() => { drained = true; });
    await tick();
    expect(drained).toBe(false);
    pending[0].resolve();
    await first;
    await tick();
    expect(drained).toBe(false);
    expect(batches).toHaveLength(2);
    pending[1].resolve();
    await Promise.all([queued, draining]);
    expect(drained).toBe(true);
    await expect(publisher.publish('omni.status.v1', event(3))).rejects.toThrow('publisher is closed');
    expect(batches).toHaveLength(2);
  });

  it('drain() flushes records that were not yet scheduled to go out', async () => {
    const { publisher, batches } = setup();
    const p = publisher.publish('omni.status.v1', event(1));
    await publisher.drain();
    await p;
    expect(batches.map(ids)).toEqual([['status-1']]);
  });

  it('bounds a publish with timeoutMs and rejects with a RetryableError', async () => {
    const { publisher } = setup('manual', { timeoutMs: 20 });
    const err: unknown = await publisher.publish('omni.status.v1', event(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'timeout', retryable: true, message: expect.stringContaining('publish to omni.status.v1') });
  });

  it('refuses a publish while maxQueued records wait for Kafka (503 upstream), and takes them again once they went', async () => {
    const { publisher, pending } = setup('manual', { maxQueued: 3 });
    const first = publisher.publish('omni.status.v1', [event(1), event(2)]);
    await tick(); // in flight: no longer waiting
    const waiting = publisher.publish('omni.status.v1', [event(3), event(4), event(5)]);
    await expect(publisher.publish('omni.status.v1', event(6))).rejects.toMatchObject({ code: 'publisher_backpressure', retryable: true });
    pending[0].resolve();
    await first;
    await tick();
    // The three moved into the next request: the queue has room again.
    const later = publisher.publish('omni.status.v1', event(7));
    pending[1].resolve();
    await waiting;
    await tick();
    pending[2].resolve();
    await later;
  });

  it('does not send later what a timed-out publish was told failed', async () => {
    const { publisher, batches, pending } = setup('manual', { timeoutMs: 20 });
    const first = publisher.publish('omni.status.v1', event(1)).catch(() => undefined);
    await tick();
    const stuck = await publisher.publish('omni.status.v1', event(2)).catch((e: unknown) => e);
    expect(stuck).toMatchObject({ code: 'timeout' });
    pending[0].resolve();
    await first;
    await tick();
    expect(batches.map(ids)).toEqual([['status-1']]);
  });

  it('drain() gives up after drainTimeoutMs when Kafka never answers, failing what is still queued', async () => {
    const { publisher } = setup('manual', { drainTimeoutMs: 50, timeoutMs: 10_000 });
    const inFlight = publisher.publish('omni.status.v1', event(1)).catch((e: unknown) => e);
    await tick();
    const queued = publisher.publish('omni.status.v1', event(2)).catch((e: unknown) => e);
    await expect(publisher.drain()).rejects.toMatchObject({ code: 'drain_timeout' });
    expect(await queued).toMatchObject({ code: 'publisher_closed', retryable: true });
    void inFlight;
  });

  it('publishes what the sealing seals as sealed records, the rest in clear; a key it cannot get fails the publish (retryable) and sends nothing in clear', async () => {
    const sealing = {
      seal: async (e: CloudEvent) => (e.id === 'status-1' ? { keyId: 'dk_1', value: Buffer.from('sealed-bytes') } : null),
      open: async () => null,
    };
    const { publisher, batches } = setup('auto', { sealing });
    await publisher.publish('omni.status.v1', [event(1), event(2)]);
    const [one, two] = batches[0].topicMessages?.[0].messages ?? [];
    expect(one.headers).toMatchObject({ ce_id: 'status-1', ce_datakey: 'dk_1', 'content-type': 'application/vnd.omni.sealed' });
    expect(String(one.value)).toBe('sealed-bytes');
    expect(two.headers?.ce_datakey).toBeUndefined();
    expect(JSON.parse(String(two.value))).toMatchObject({ messageId: 'm-2' });

    const failing = setup('auto', { sealing: { seal: async () => { throw new Error('MongoServerSelectionError'); }, open: async () => null } });
    const err = await failing.publisher.publish('omni.status.v1', event(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).code).toBe('event_sealing_failed');
    await tick();
    expect(failing.batches).toEqual([]);
  });

  it('keeps the order of publish calls when sealing answers out of order (a chat\'s messages published without awaiting each other)', async () => {
    // The first event's tenant lookup is slow, the second's is cached: the second must still leave after it.
    let releaseFirst!: () => void;
    const firstLookup = new Promise<void>((r) => { releaseFirst = r; });
    const sealing = {
      seal: async (e: CloudEvent) => { if (e.id === 'status-1') await firstLookup; return null; },
      open: async () => null,
    };
    const { publisher, batches } = setup('auto', { sealing });
    const first = publisher.publish('omni.status.v1', event(1));
    const second = publisher.publish('omni.status.v1', event(2));
    await tick();
    await tick();
    // Nothing leaves while the head's place is still being sealed.
    expect(batches).toEqual([]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(batches.flatMap(ids)).toEqual(['status-1', 'status-2']);
  });

  it('lets the places behind a failed seal go, and drains a queue whose head is still being sealed', async () => {
    let releaseFirst!: () => void;
    const firstLookup = new Promise<void>((r) => { releaseFirst = r; });
    const sealing = {
      seal: async (e: CloudEvent) => {
        if (e.id === 'status-1') { await firstLookup; throw new Error('MongoServerSelectionError'); }
        if (e.id === 'status-3') await new Promise((r) => setTimeout(r, 20));
        return null;
      },
      open: async () => null,
    };
    const { publisher, batches } = setup('auto', { sealing });
    const first = publisher.publish('omni.status.v1', event(1)).catch((e: unknown) => e);
    const second = publisher.publish('omni.status.v1', event(2));
    releaseFirst();
    expect(await first).toBeInstanceOf(RetryableError);
    await second;
    const third = publisher.publish('omni.status.v1', event(3));
    await publisher.drain();
    await third;
    expect(batches.flatMap(ids)).toEqual(['status-2', 'status-3']);
  });
});
