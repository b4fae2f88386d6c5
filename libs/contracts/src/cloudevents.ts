import { z } from 'zod';
import { EVENTS, EventData, EventType, isEventType } from './catalog';
import { ValidationError } from './errors';

/**
 * CloudEvents 1.0, Kafka protocol binding, binary content mode (★): attributes travel as `ce_*`
 * headers, the value is the JSON data object, the key is the subject (conversationId) so the
 * conversation's order is kept within one partition. W3C `traceparent`/`tracestate` ride along.
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  tenantid: string;
  region: string;
  traceparent?: string;
  tracestate?: string;
  /**
   * Crypto-shredding (ADR 0501), only for tenants that opted in: the id of the conversation's data key
   * (`ce_datakey`) the record's value is sealed with. A consumed event carrying it has the sealed bytes
   * as its data until libs/messaging opens them.
   */
  datakey?: string;
  /**
   * The fresh lane's mark (ADR 0012): on the records of a newcomer's message after the first stage,
   * when the customer's message arrived (ISO time; `ce_freshat`). A header, so that a later stage's
   * lane can admit and rank a record without its data — sealed data included (ADR 0501).
   */
  freshat?: string;
  data: T;
}

/** The content type of a sealed value: AES-256-GCM iv (12) | tag (16) | ciphertext of the JSON data. */
export const SEALED_CONTENT_TYPE = 'application/vnd.omni.sealed';

/** What a sealed value is bound to (its AAD): the event and the key, so bytes moved to another event do not open. */
export function sealedDataAad(e: Pick<CloudEvent, 'id' | 'subject' | 'type'>, keyId: string): string {
  return `omni-event\n${e.type}\n${e.id}\n${e.subject}\n${keyId}`;
}

export interface KafkaRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** What kafkajs hands a consumer: headers may be Buffers, strings or arrays of them. */
export interface IncomingRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export interface NewEvent<T extends EventType> {
  type: T;
  id: string;
  source: string;
  subject: string;
  tenantId: string;
  region: string;
  data: EventData<T>;
  time?: Date;
}

/** Builds a validated event: producers never put an invalid record on a topic. */
export function createEvent<T extends EventType>(e: NewEvent<T>): CloudEvent<EventData<T>> {
  const data = parseData(e.type, e.data);
  return {
    specversion: '1.0',
    id: e.id,
    type: e.type,
    source: e.source,
    time: (e.time ?? new Date()).toISOString(),
    subject: e.subject,
    datacontenttype: 'application/json',
    tenantid: e.tenantId,
    region: e.region,
    data,
  };
}

export function toKafkaRecord(event: CloudEvent): KafkaRecord {
  const headers: Record<string, string> = {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_time: event.time,
    ce_subject: event.subject,
    ce_tenantid: event.tenantid,
    ce_region: event.region,
    'content-type': 'application/json',
  };
  if (event.traceparent) headers.traceparent = event.traceparent;
  if (event.tracestate) headers.tracestate = event.tracestate;
  if (event.freshat) headers.ce_freshat = event.freshat;
  return { key: event.subject, value: Buffer.from(JSON.stringify(event.data)), headers };
}

/** The record of an event whose data was sealed with a conversation's data key (the headers stay readable). */
export function toSealedKafkaRecord(event: CloudEvent, keyId: string, sealed: Buffer): KafkaRecord {
  const record = toKafkaRecord({ ...event, data: null });
  return { key: record.key, value: sealed, headers: { ...record.headers, ce_datakey: keyId, 'content-type': SEALED_CONTENT_TYPE } };
}

export function headerValue(headers: IncomingRecord['headers'], name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

const REQUIRED = ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time', 'ce_subject'] as const;

/** Reads the envelope; throws a non-retryable ValidationError for anything malformed. */
export function fromKafkaRecord(record: IncomingRecord): CloudEvent<unknown> {
  const h = (name: string) => headerValue(record.headers, name);
  const missing = REQUIRED.filter((n) => !h(n));
  if (missing.length) throw new ValidationError(`not a CloudEvent: missing header(s) ${missing.join(', ')}`);
  if (h('ce_specversion') !== '1.0') throw new ValidationError(`unsupported ce_specversion ${h('ce_specversion')}`);
  const contentType = h('content-type') ?? 'application/json';
  const datakey = h('ce_datakey');
  if (record.value === null) throw new ValidationError('record has no value');
  let data: unknown;
  if (datakey) {
    // Sealed (crypto-shredding): the bytes stay as they are until the consumer opens them with the key.
    if (contentType !== SEALED_CONTENT_TYPE) throw new ValidationError(`ce_datakey with content-type ${contentType}`);
    data = typeof record.value === 'string' ? Buffer.from(record.value, 'utf8') : record.value;
  } else {
    if (!contentType.startsWith('application/json')) throw new ValidationError(`unsupported content-type ${contentType}`);
    try {
      data = JSON.parse(typeof record.value === 'string' ? record.value : record.value.toString('utf8'));
    } catch (err) {
      throw new ValidationError(`value is not JSON: ${(err as Error).message}`);
    }
  }
  return {
    specversion: '1.0',
    id: h('ce_id') as string,
    type: h('ce_type') as string,
    source: h('ce_source') as string,
    time: h('ce_time') as string,
    subject: h('ce_subject') as string,
    datacontenttype: 'application/json',
    tenantid: h('ce_tenantid') ?? '',
    region: h('ce_region') ?? '',
    traceparent: h('traceparent'),
    tracestate: h('tracestate'),
    ...(datakey ? { datakey } : {}),
    ...(h('ce_freshat') ? { freshat: h('ce_freshat') } : {}),
    data,
  };
}

export function parseData<T extends EventType>(type: T, data: unknown): EventData<T> {
  const result = (EVENTS[type].schema as z.ZodType).safeParse(data);
  if (!result.success) {
    throw new ValidationError(
      `invalid ${type} data`,
      result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return result.data as EventData<T>;
}

/** Validates a consumed event against the schema its ce_type names. */
export function parseEvent<T extends EventType>(event: CloudEvent<unknown>, expected: T): CloudEvent<EventData<T>> {
  if (!isEventType(event.type)) throw new ValidationError(`unknown ce_type ${event.type}`);
  if (event.type !== expected) throw new ValidationError(`expected ce_type ${expected}, got ${event.type}`);
  return { ...event, data: parseData(expected, event.data) };
}
