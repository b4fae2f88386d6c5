import { CloudEvent, IncomingRecord, KafkaRecord, createEvent, fromKafkaRecord, headerValue, parseEvent, toKafkaRecord, toSealedKafkaRecord } from './cloudevents';
import { ValidationError } from './errors';
import type { InboundMessage } from './schemas';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function inbound(overrides: Partial<InboundMessage['message']> = {}): InboundMessage {
  return {
    tenantId: 't1', region: 'eu', channel: 'web', accountId: 'site-1', conversationId: 'conv-9',
    customer: { channelUserId: 'sess-1', displayName: 'Bo' },
    message: { channelMessageId: 'c-1', direction: 'inbound', type: 'text', text: 'hi', attachments: [], timestamp: '2025-01-01T00:00:00.000Z', ...overrides },
  };
}

function event(time = new Date('2025-01-01T00:00:01.000Z')) {
  return createEvent({ type: 'omni.message.received.v1', id: 'evt-1', source: '/channels/web/site-1', subject: 'conv-9', tenantId: 't1', region: 'eu', data: inbound(), time });
}

function record(overrides: Partial<Record<string, string | undefined>> = {}, value: IncomingRecord['value'] = '{"a":1}'): IncomingRecord {
  const headers: Record<string, string | undefined> = {
    ce_specversion: '1.0', ce_id: 'e1', ce_type: 'omni.message.received.v1', ce_source: '/s', ce_time: '2025-01-01T00:00:00Z', ce_subject: 'conv', ...overrides,
  };
  return { key: 'conv', value, headers };
}

/** What kafkajs hands a consumer: header values as Buffers. */
function asConsumed(r: KafkaRecord): IncomingRecord {
  return { key: Buffer.from(r.key), value: r.value, headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Buffer.from(v)])) };
}

describe('createEvent', () => {
  it('fills the envelope and validates the data', () => {
    const e = event();
    expect(e).toMatchObject({ specversion: '1.0', id: 'evt-1', type: 'omni.message.received.v1', subject: 'conv-9', datacontenttype: 'application/json', tenantid: 't1', region: 'eu', time: '2025-01-01T00:00:01.000Z' });
  });

  it('stamps the current time when none is given', () => {
    const before = Date.now();
    const e = createEvent({ type: 'omni.message.received.v1', id: 'x', source: '/s', subject: 'c', tenantId: 't', region: 'r', data: inbound() });
    expect(Date.parse(e.time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(e.time)).toBeLessThanOrEqual(Date.now());
  });

  it('refuses invalid data so no producer puts it on a topic', () => {
    const bad = { ...inbound(), channel: 'pigeon' } as unknown as InboundMessage;
    expect(() => createEvent({ type: 'omni.message.received.v1', id: 'x', source: '/s', subject: 'c', tenantId: 't', region: 'r', data: bad })).toThrow(ValidationError);
  });
});

describe('Kafka binding round trip', () => {
  it('keeps every attribute, the trace context and the data; key = subject', () => {
    const original: CloudEvent<InboundMessage> = { ...event(), traceparent: TRACEPARENT, tracestate: 'vendor=1' };
    const rec = toKafkaRecord(original);
    expect(rec.key).toBe('conv-9');
    expect(rec.headers).toEqual({
      ce_specversion: '1.0', ce_id: 'evt-1', ce_type: 'omni.message.received.v1', ce_source: '/channels/web/site-1', ce_time: '2025-01-01T00:00:01.000Z',
      ce_subject: 'conv-9', ce_tenantid: 't1', ce_region: 'eu', 'content-type': 'application/json', traceparent: TRACEPARENT, tracestate: 'vendor=1',
    });
    expect(JSON.parse(rec.value.toString('utf8'))).toEqual(original.data);

    const back = parseEvent(fromKafkaRecord(asConsumed(rec)), 'omni.message.received.v1');
    expect(back).toEqual(original);
  });

  it('omits trace headers that are not set', () => {
    const rec = toKafkaRecord(event());
    expect(rec.headers).not.toHaveProperty('traceparent');
    expect(rec.headers).not.toHaveProperty('tracestate');
    expect(fromKafkaRecord(rec).traceparent).toBeUndefined();
  });

  it('carries the fresh lane\'s mark as a header, on sealed records too (ADR 0012)', () => {
    const marked = { ...event(), freshat: '2025-01-01T00:00:00.500Z' };
    const rec = toKafkaRecord(marked);
    expect(rec.headers.ce_freshat).toBe('2025-01-01T00:00:00.500Z');
    expect(fromKafkaRecord(asConsumed(rec)).freshat).toBe('2025-01-01T00:00:00.500Z');
    const sealed = toSealedKafkaRecord(marked, 'key-1', Buffer.from('ciphertext'));
    expect(fromKafkaRecord(asConsumed(sealed))).toMatchObject({ freshat: '2025-01-01T00:00:00.500Z', datakey: 'key-1' });
    expect(fromKafkaRecord(asConsumed(toKafkaRecord(event())))).not.toHaveProperty('freshat');
  });

  it('reads string values and header arrays (first value wins)', () => {
    const r = record({}, '{"x":true}');
    r.headers = { ...r.headers, ce_id: [Buffer.from('first'), 'second'] };
    const e = fromKafkaRecord(r);
    expect(e.id).toBe('first');
    expect(e.data).toEqual({ x: true });
    expect(e.tenantid).toBe('');
  });
});

describe('fromKafkaRecord refuses malformed records with a ValidationError', () => {
  const cases: [string, IncomingRecord, RegExp][] = [
    ['no headers at all', { key: null, value: '{}' }, /missing header\(s\) ce_specversion, ce_id, ce_type, ce_source, ce_time, ce_subject/],
    ['a missing ce_id and ce_subject', record({ ce_id: undefined, ce_subject: '' }), /missing header\(s\) ce_id, ce_subject$/],
    ['a wrong specversion', record({ ce_specversion: '0.3' }), /unsupported ce_specversion 0\.3/],
    ['a non-JSON content type', record({ 'content-type': 'application/avro' }), /unsupported content-type application\/avro/],
    ['no value', record({}, null), /no value/],
    ['a value that is not JSON', record({}, Buffer.from('{not json')), /value is not JSON/],
  ];
  it.each(cases)('%s', (_name, rec, message) => {
    let caught: unknown;
    try {
      fromKafkaRecord(rec);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).retryable).toBe(false);
    expect((caught as Error).message).toMatch(message);
  });

  it('accepts a JSON content type with parameters', () => {
    expect(fromKafkaRecord(record({ 'content-type': 'application/json; charset=utf-8' })).data).toEqual({ a: 1 });
  });
});

describe('parseEvent', () => {
  const consumed = () => fromKafkaRecord(toKafkaRecord(event()));

  it('refuses an unknown ce_type', () => {
    expect(() => parseEvent({ ...consumed(), type: 'omni.unknown.v1' }, 'omni.message.received.v1')).toThrow(/unknown ce_type omni.unknown.v1/);
  });

  it('refuses a known but unexpected ce_type', () => {
    expect(() => parseEvent(consumed(), 'omni.ai.requested.v1')).toThrow(/expected ce_type omni.ai.requested.v1, got omni.message.received.v1/);
  });

  it('refuses data that does not match the schema and lists the issues', () => {
    const broken = { ...consumed(), data: { ...inbound(), conversationId: '' } };
    expect(() => parseEvent(broken, 'omni.message.received.v1')).toThrow(expect.objectContaining({ code: 'validation_failed', issues: [expect.objectContaining({ path: 'conversationId' })] }));
  });
});

describe('headerValue', () => {
  it('decodes Buffers, passes strings and tolerates absent headers', () => {
    expect(headerValue({ a: Buffer.from('x') }, 'a')).toBe('x');
    expect(headerValue({ a: 'y' }, 'a')).toBe('y');
    expect(headerValue({ a: [] }, 'a')).toBeUndefined();
    expect(headerValue(undefined, 'a')).toBeUndefined();
  });
});
