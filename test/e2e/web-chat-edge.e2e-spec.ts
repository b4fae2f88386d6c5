import WebSocket from 'ws';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, uniqueName } from '../support/env';
import { createKafka, kafkaSettingsFromEnv } from '@omni/messaging';

interface Frame { type: string; code?: string; reason?: string }

/** Bad input at the edge: every bad frame gets a clear error event and nothing reaches Kafka. */
describe('web chat edge: malformed and oversized frames', () => {
  const name = uniqueName('edge');
  let web: RunningApp;
  const kafka = createKafka(kafkaSettingsFromEnv('edge-test', { ...process.env, KAFKA_BROKERS }));
  const inboundTopic = `${name}.omni.inbound.v1`;

  beforeAll(async () => {
    web = await startApp('channel-web', { ...stackEnv({ prefix: name, db: name }), WEB_MAX_FRAME_BYTES: '1024', WEB_RATE_LIMIT_PER_10S: '3' });
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

  function connect(): Promise<{ ws: WebSocket; next: () => Promise<Frame>; closed: Promise<number> }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${web.url.replace('http', 'ws')}/ws`);
      const queue: Frame[] = [];
      const waiting: ((f: Frame) => void)[] = [];
      ws.on('message', (raw: Buffer) => {
        const f = JSON.parse(raw.toString()) as Frame;
        const w = waiting.shift();
        if (w) w(f);
        else queue.push(f);
      });
      const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
      ws.on('open', () => resolve({ ws, closed, next: () => new Promise((r) => { const f = queue.shift(); if (f) r(f); else waiting.push(r); }) }));
      ws.on('error', reject);
    });
  }

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
    c.ws.send(JSON.stringify({ type: 'hello', sessionId: 'edge-session-0123456789' }));
    expect((await c.next()).type).toBe('welcome');
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
    expect(await c.closed).toBe(1009);
    expect(await producedCount()).toBe(before + 3);
  });
});
