import { EVENTS, EVENT_TYPES, EventType, isEventType } from './catalog';
import { parseData } from './cloudevents';
import { ValidationError } from './errors';

const scoped = { tenantId: 't1', region: 'eu', channel: 'whatsapp', accountId: 'acc-1', conversationId: 'conv-1' } as const;
const at = '2025-03-04T05:06:07.000Z';

/** One valid payload per event type; the test below fails when a type is added without one. */
const VALID: Record<EventType, Record<string, unknown>> = {
  'omni.message.received.v1': {
    ...scoped,
    customer: { channelUserId: '34600111222', displayName: 'Ana', locale: 'es-ES' },
    message: {
      channelMessageId: 'wamid.1', direction: 'inbound', type: 'image', text: 'hola', timestamp: at,
      attachments: [{ kind: 'image', mime: 'image/jpeg', mediaId: 'media-1', sha256: 'a'.repeat(64) }],
    },
  },
  'omni.message.status.v1': { ...scoped, messageId: 'm-1', channelMessageId: 'wamid.2', status: 'failed', timestamp: at, error: { code: '131047', reason: 'window closed' } },
  'omni.ai.requested.v1': { ...scoped, messageId: 'm-1', text: 'where is my order', messageType: 'text', history: [{ role: 'customer', text: 'hi' }] },
  'omni.ai.completed.v1': {
    ...scoped, messageId: 'm-1', language: 'en', intent: { name: 'order_status', confidence: 0.9 }, answer: { text: 'Here it is' },
    abstained: false, engine: 'keyword-v1', entities: [{ type: 'order', value: '123', start: 0, end: 3 }],
  },
  'omni.ai.outcome.v1': { ...scoped, outcome: 'handed_off', messageId: 'm-1', reasons: ['unsatisfied_turns'], at },
  'omni.message.send.v1': {
    ...scoped, messageId: 'out-1', recipient: { channelUserId: '34600111222' }, author: { kind: 'bot', id: 'keyword-v1' },
    message: { type: 'text', text: 'Hello' }, createdAt: at,
  },
  'omni.conversation.changed.v1': { ...scoped, kind: 'message', state: 'bot', messageId: 'm-1', direction: 'inbound', at },
};

/** Typical producer mistakes per event type, each with the path the issue must name. */
const INVALID: Record<EventType, [string, (v: Record<string, unknown>) => Record<string, unknown>, string][]> = {
  'omni.message.received.v1': [
    ['unknown channel', (v) => ({ ...v, channel: 'fax' }), 'channel'],
    ['outbound direction', (v) => ({ ...v, message: { ...(v.message as object), direction: 'outbound' } }), 'message.direction'],
    ['timestamp without offset', (v) => ({ ...v, message: { ...(v.message as object), timestamp: '2025-03-04 05:06' } }), 'message.timestamp'],
    ['attachment with neither url nor mediaId', (v) => ({ ...v, message: { ...(v.message as object), attachments: [{ kind: 'image', mime: 'image/png' }] } }), 'message.attachments.0'],
    ['empty customer id', (v) => ({ ...v, customer: { channelUserId: '' } }), 'customer.channelUserId'],
  ],
  'omni.message.status.v1': [
    ['unknown status', (v) => ({ ...v, status: 'seen' }), 'status'],
    ['missing messageId', ({ messageId: _m, ...v }) => v, 'messageId'],
  ],
  'omni.ai.requested.v1': [
    ['unknown message type', (v) => ({ ...v, messageType: 'gif' }), 'messageType'],
    ['history role', (v) => ({ ...v, history: [{ role: 'robot', text: 'x' }] }), 'history.0.role'],
  ],
  'omni.ai.completed.v1': [
    ['confidence above 1', (v) => ({ ...v, intent: { name: 'x', confidence: 1.5 } }), 'intent.confidence'],
    ['missing abstained', ({ abstained: _a, ...v }) => v, 'abstained'],
  ],
  'omni.ai.outcome.v1': [
    ['unknown outcome', (v) => ({ ...v, outcome: 'ignored' }), 'outcome'],
    ['an answer outcome without the message it is about', ({ messageId: _m, ...v }) => v, 'messageId'],
    ['a rating without its score', (v) => ({ ...v, outcome: 'csat' }), 'score'],
    ['a score out of range', (v) => ({ ...v, outcome: 'csat', score: 6 }), 'score'],
  ],
  'omni.message.send.v1': [
    ['unknown author kind', (v) => ({ ...v, author: { kind: 'robot' } }), 'author.kind'],
    ['more than ten buttons', (v) => ({ ...v, message: { type: 'interactive', buttons: Array.from({ length: 11 }, (_, i) => ({ id: `b${i}`, title: 't' })) } }), 'message.buttons'],
  ],
  'omni.conversation.changed.v1': [
    ['unknown state', (v) => ({ ...v, state: 'closed' }), 'state'],
    ['unknown kind', (v) => ({ ...v, kind: 'deleted' }), 'kind'],
  ],
};

describe('event catalog schemas', () => {
  it('has a sample for every event type and only known types are event types', () => {
    expect(Object.keys(VALID).sort()).toEqual([...EVENT_TYPES].sort());
    expect(isEventType('omni.message.received.v1')).toBe(true);
    expect(isEventType('omni.message.received.v2')).toBe(false);
    expect(isEventType('toString')).toBe(false);
  });

  describe.each(EVENT_TYPES)('%s', (type) => {
    it('accepts a valid sample and round-trips it through JSON unchanged', () => {
      const parsed = parseData(type, VALID[type]);
      const again = parseData(type, JSON.parse(JSON.stringify(parsed)));
      expect(again).toEqual(parsed);
      expect(parsed).toMatchObject(VALID[type]);
    });

    it.each(INVALID[type])('refuses %s and names the path', (_name, mutate, path) => {
      let caught: unknown;
      try {
        parseData(type, mutate(VALID[type]));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      const err = caught as ValidationError;
      expect(err.retryable).toBe(false);
      expect(err.message).toBe(`invalid ${type} data`);
      expect(err.issues.map((i) => i.path)).toContain(path);
    });

    it('refuses a non-object payload', () => {
      expect(() => parseData(type, 'text')).toThrow(ValidationError);
      expect(() => parseData(type, null)).toThrow(ValidationError);
    });

    it('is carried on at least one topic', () => {
      expect(EVENTS[type].topics.length).toBeGreaterThan(0);
    });
  });

  it('fills defaults so consumers can rely on arrays being present', () => {
    const inbound = parseData('omni.message.received.v1', { ...VALID['omni.message.received.v1'], message: { channelMessageId: 'x', direction: 'inbound', type: 'text', timestamp: at } });
    expect(inbound.message.attachments).toEqual([]);
    const result = parseData('omni.ai.completed.v1', VALID['omni.ai.completed.v1']);
    expect(result.alternatives).toEqual([]);
    expect(result.reasons).toEqual([]);
  });

  it('carries the send command on one outbound topic per channel', () => {
    expect([...EVENTS['omni.message.send.v1'].topics].sort()).toEqual(
      ['email', 'messenger', 'telegram', 'web', 'whatsapp'].map((c) => `omni.outbound.${c}.v1`).sort(),
    );
  });
});
