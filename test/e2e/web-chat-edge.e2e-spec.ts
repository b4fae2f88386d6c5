import { createHash } from 'node:crypto';
import { createConnection } from 'mongoose';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName } from '../support/env';
import { WidgetFrame, WidgetSocket, openWidgetSocket } from '../support/web-chat';
import { createKafka, kafkaSettingsFromEnv } from '@omni/messaging';

async function hello(c: WidgetSocket, frame: Record<string, unknown> = {}): Promise<WidgetFrame> {
  c.ws.send(JSON.stringify({ type: 'hello', ...frame }));
  const f = await c.next();
  expect(f.type).toBe('welcome');
  return f;
}

/** Bad input at the edge: every bad frame gets a clear error event and nothing reaches Kafka. */
describe('web chat edge: malformed and oversized frames', () => {
  const name = uniqueName('edge');
  let web: RunningApp;
  const kafka = createKafka(kafkaSettingsFromEnv('edge-test', { ...process.env, KAFKA_BROKERS }));
  const inboundTopic = `${name}.omni.inbound.v1`;

  beforeAll(async () => {
    web = await startApp('channel-web', {
      ...stackEnv({ prefix: name, db: name }),
      WEB_MAX_FRAME_BYTES: '1024',
      WEB_RATE_LIMIT_PER_10S: '3',
      WEB_ALLOWED_ORIGINS: 'https://shop.example',
    });
  });
  afterAll(async () => {
    await web?.stop();
  });

  async function producedCount(): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(inboundTopic);
      return offsets.reduce((n, p) => n + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  const connect = (origin?: string) => openWidgetSocket(web.url, origin);

  it('answers each bad frame with an error event and produces nothing', async () => {
    const before = await producedCount();
    const c = await connect();
    const expectError = async (payload: string | Buffer, code: string) => {
      c.ws.send(payload);
      const f = await c.next();
      expect(f).toMatchObject({ type: 'error', code });
      expect(f.reason).toEqual(expect.any(String));
    };
    await expectError('{"type":"message"', 'malformed_json');
    await expectError(JSON.stringify({ type: 'message', clientMessageId: 'abcdefgh01', text: 'hi' }), 'no_session');
    await expectError(JSON.stringify({ type: 'launch-missiles' }), 'invalid_frame');
    await expectError(Buffer.from([1, 2, 3]), 'unsupported_frame');
    await hello(c);
    await expectError(JSON.stringify({ type: 'message', clientMessageId: 'abcdefgh02', text: 'x'.repeat(2_000) }), 'frame_too_large');
    await expectError(JSON.stringify({ type: 'message', clientMessageId: 'abcdefgh03', text: '   ' }), 'invalid_frame');
    await expectError(JSON.stringify({ type: 'message', clientMessageId: 'bad id!', text: 'hello' }), 'invalid_frame');
    expect(await producedCount()).toBe(before);

    // Good frames still flow on the same socket, and a flood is throttled (limit 3 per 10 s here).
    for (let i = 0; i < 3; i++) {
      c.ws.send(JSON.stringify({ type: 'message', clientMessageId: `goodmsg0${i}`, text: `hello ${i}` }));
      expect((await c.next()).type).toBe('ack');
    }
    await expectError(JSON.stringify({ type: 'message', clientMessageId: 'goodmsg09', text: 'one too many' }), 'rate_limited');
    expect(await producedCount()).toBe(before + 3);

    // Past the hard limit the ws library itself closes the socket with 1009 (message too big).
    c.ws.send('x'.repeat(70 * 1024));
    expect((await c.closed).code).toBe(1009);
    expect(await producedCount()).toBe(before + 3);
  });

  it('identifies a visitor by the token the server issued, never by a session id it chose or saw', async () => {
    const a = await connect();
    const first = await hello(a);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/);
    const sessionId = first.token!.split('.')[0];

    // The old protocol's client-chosen id, here the victim's (which the router's API shows): a new, empty conversation.
    const b = await connect();
    const hijack = await hello(b, { sessionId });
    expect(hijack.conversationId).not.toBe(first.conversationId);
    expect(hijack.token).toEqual(expect.any(String));

    // A tampered token: a new conversation too.
    const forged = await hello(await connect(), { token: `${sessionId}.${'A'.repeat(43)}` });
    expect(forged.conversationId).not.toBe(first.conversationId);

    // The real token resumes the conversation, and no new token is handed out.
    const resumed = await hello(await connect(), { token: first.token });
    expect(resumed.conversationId).toBe(first.conversationId);
    expect(resumed.token).toBeUndefined();

    // Only the token's hash is stored.
    const db = await createConnection(mongoUri(name)).asPromise();
    try {
      const docs = await db.collection('web_sessions').find({ sessionId }).toArray();
      expect(docs.map((d) => d._id)).toEqual([createHash('sha256').update(first.token!).digest('hex')]);
      expect(JSON.stringify(docs)).not.toContain(first.token!.split('.')[1]);
    } finally {
      await db.close();
    }
  });

  it('closes a socket opened by another site’s page with 1008 naming the origin; a listed one is served', async () => {
    const evil = await connect('https://evil.example');
    expect(await evil.closed).toEqual({ code: 1008, reason: 'origin not allowed: https://evil.example' });
    const shop = await connect('https://shop.example');
    await hello(shop);
    shop.ws.close();
  });
});

describe('web chat edge: connections and frames per address', () => {
  const name = uniqueName('edgeip');
  let web: RunningApp;

  beforeAll(async () => {
    web = await startApp('channel-web', { ...stackEnv({ prefix: name, db: name }), WEB_MAX_CONNECTIONS_PER_IP: '2', WEB_MAX_FRAMES_PER_IP_PER_10S: '5' });
  });
  afterAll(async () => {
    await web?.stop();
  });

  it('closes a third socket from one address with 1013, and a flood of frames with 1008', async () => {
    const one = await openWidgetSocket(web.url);
    const two = await openWidgetSocket(web.url);
    const three = await openWidgetSocket(web.url);
    expect(await three.closed).toEqual({ code: 1013, reason: 'too many connections from this address (limit 2)' });

    for (let i = 0; i < 5; i++) {
      one.ws.send(JSON.stringify({ type: 'ping' }));
      expect((await one.next()).type).toBe('pong');
    }
    // The budget is the address's, not the socket's: the sixth frame, on the other socket, closes it.
    two.ws.send(JSON.stringify({ type: 'ping' }));
    expect(await two.closed).toEqual({ code: 1008, reason: 'too many frames from this address (limit 5 per 10 s)' });
    one.ws.close();
  });
});
