import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connection, createConnection } from 'mongoose';
import { GridFsMediaStore } from '@omni/channel-kit';
import { NluAnswerer } from '../answer/nlu-answerer';
import { TenantModels } from '../nlu/tenant-models';
import { fallbacks, InMemoryDatasets, aConfig, aRequest } from '../testing';
import { OpenAiCompatibleTranscriber } from './openai-compatible.transcriber';

interface Received {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly model: string | null;
  readonly file: { name: string; type: string; bytes: Buffer } | null;
}

/**
 * A local server playing OpenAI's audio-transcriptions contract: multipart/form-data with the
 * fields `file` and `model`, answering `{"text": …}`. It "hears" what the test registered for the
 * exact bytes it receives, so a wrong or truncated upload is never transcribed.
 */
class FakeWhisper {
  readonly received: Received[] = [];
  readonly transcripts = new Map<string, string>();
  /** Statuses to answer before a success (e.g. [503, 429]), consumed one per request. */
  failures: number[] = [];
  mode: 'ok' | 'hang' | 'reject' = 'ok';
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
    const file = form.get('file');
    const model = form.get('model');
    const upload = file instanceof File ? { name: file.name, type: file.type, bytes: Buffer.from(await file.arrayBuffer()) } : null;
    this.received.push({ path: req.url ?? '', authorization: req.headers.authorization, model: typeof model === 'string' ? model : null, file: upload });
    if (this.mode === 'hang') return;
    const status = this.mode === 'reject' ? 401 : this.failures.shift();
    if (status) {
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
      res.end(JSON.stringify({ error: { message: 'try later' } }));
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ text: upload ? (this.transcripts.get(upload.bytes.toString('hex')) ?? '') : '' }));
  }
}

const BASE = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test';
const fast = { attempts: 3, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 1_000 };

describe('voice notes: transcription on a local OpenAI-compatible server, audio from GridFS', () => {
  const whisper = new FakeWhisper();
  let url: string;
  let db: Connection;
  let media: GridFsMediaStore;
  let models: TenantModels;

  beforeAll(async () => {
    url = await whisper.start();
    const u = new URL(BASE);
    u.pathname = `/voice-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    db = await createConnection(u.toString()).asPromise();
    media = new GridFsMediaStore(db);
    models = new TenantModels(aConfig({ NLU_FASTTEXT: 'off' }), new InMemoryDatasets());
    await models.onModuleInit();
  }, 60_000);

  afterAll(async () => {
    await whisper.close();
    await db?.dropDatabase();
    await db?.close();
  });

  /** A voice note as a channel app stores it, and the AI request the router sends for it. */
  async function voiceNote(said: string, tenantId = 'default') {
    const bytes = randomBytes(40_000); // stands in for Opus audio: the server matches bytes, not sound
    whisper.transcripts.set(bytes.toString('hex'), said);
    const { storeId } = await media.put(tenantId, bytes, { mime: 'audio/ogg; codecs=opus', source: 'whatsapp:acc:wamid.voice' });
    return {
      bytes,
      request: aRequest('', { tenantId, messageType: 'audio', messageId: `voice-${storeId.slice(0, 8)}`, attachments: [{ kind: 'audio', mime: 'audio/ogg', mediaId: 'wa-media-1', storeId }] }),
    };
  }

  it('posts the stored audio as multipart (file, model), then understands and answers the transcript in its language', async () => {
    const transcriber = new OpenAiCompatibleTranscriber({ baseUrl: url, apiKey: 'sk-local', model: 'whisper-1', timeoutMs: 5_000, retry: fast });
    const answerer = new NluAnswerer(models, fallbacks(), undefined, transcriber, media);
    const cases: ReadonlyArray<[lang: string, said: string, intent: string, article: string]> = [
      ['pt', 'oi, quero cancelar o meu pedido, comprei errado', 'cancel_order', 'cancel-order'],
      ['de', 'Hallo, wie lange dauert die Lieferung nach Hamburg?', 'shipping_time', 'shipping-times'],
    ];
    for (const [lang, said, intent, article] of cases) {
      const { bytes, request } = await voiceNote(said);
      const u = await answerer.understand(request);
      const got = whisper.received.at(-1);
      expect(got).toMatchObject({ path: '/v1/audio/transcriptions', authorization: 'Bearer sk-local', model: 'whisper-1', file: { name: 'voice-note.ogg', type: 'audio/ogg' } });
      expect(got?.file?.bytes.equals(bytes)).toBe(true);
      expect(u).toMatchObject({ language: lang, intent: { name: intent }, transcript: said, answer: { articleId: article } });
      expect(u.handoff).toBeUndefined();
      expect(u.reasons[0]).toMatch(/^voice note transcribed by openai-compatible:whisper-1/);
    }
    transcriber.shutdown();
  });

  it('retries 503 and 429 and then succeeds; a rejected key is not retried and goes to a person with the reason', async () => {
    const transcriber = new OpenAiCompatibleTranscriber({ baseUrl: url, model: 'whisper-1', timeoutMs: 5_000, retry: fast });
    const answerer = new NluAnswerer(models, fallbacks(), undefined, transcriber, media);
    const { request } = await voiceNote('where is my order? it has not arrived');
    whisper.failures = [503, 429];
    const before = whisper.received.length;
    const u = await answerer.understand(request);
    expect(whisper.received.length - before).toBe(3);
    expect(u).toMatchObject({ language: 'en', intent: { name: 'order_status' } });

    whisper.mode = 'reject';
    const again = whisper.received.length;
    const rejected = await answerer.understand((await voiceNote('hello')).request);
    whisper.mode = 'ok';
    expect(whisper.received.length - again).toBe(1);
    expect(rejected).toMatchObject({ intent: null, abstained: true, handoff: { reason: expect.stringMatching(/could not be transcribed \(openai-compatible:whisper-1: transcription provider answered HTTP 401\)/) } });
    transcriber.shutdown();
  });

  it('times out, and with the server down opens the breaker: voice notes go to a person with a clear note, fast', async () => {
    whisper.mode = 'hang';
    const slow = new OpenAiCompatibleTranscriber({ baseUrl: url, model: 'whisper-1', timeoutMs: 300, retry: fast });
    const started = Date.now();
    const timedOut = await new NluAnswerer(models, fallbacks(), undefined, slow, media).understand((await voiceNote('hola')).request);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(timedOut.handoff?.reason).toMatch(/could not be transcribed .*timed out/);
    whisper.mode = 'ok';
    slow.shutdown();

    const down = new FakeWhisper();
    const downUrl = await down.start();
    await down.close();
    const transcriber = new OpenAiCompatibleTranscriber({ baseUrl: downUrl, model: 'whisper-1', timeoutMs: 1_000, retry: fast, volumeThreshold: 3, resetTimeoutMs: 60_000 });
    const answerer = new NluAnswerer(models, fallbacks(), undefined, transcriber, media);
    for (let i = 0; i < 3; i++) {
      const u = await answerer.understand((await voiceNote(`message ${i}`)).request);
      expect(u.handoff?.reason).toMatch(/could not be transcribed/);
      expect(u.answer?.text).toMatch(/person from our team/);
    }
    expect(transcriber.breaker.opened).toBe(true);
    const open = await answerer.understand((await voiceNote('another one')).request);
    expect(open.handoff?.reason).toMatch(/circuit open/);
    expect(transcriber.breaker.stats.rejects).toBeGreaterThan(0);
    transcriber.shutdown();
  });

  it('hands a voice note that was never stored to a person, saying why, without calling the provider', async () => {
    const transcriber = new OpenAiCompatibleTranscriber({ baseUrl: url, model: 'whisper-1', timeoutMs: 5_000, retry: fast });
    const before = whisper.received.length;
    const u = await new NluAnswerer(models, fallbacks(), undefined, transcriber, media).understand(aRequest('', {
      messageType: 'audio', attachments: [{ kind: 'audio', mime: 'audio/ogg', mediaId: 'm', storeError: { code: 'too_large', reason: 'larger than MEDIA_MAX_BYTES' } }],
    }));
    expect(u.handoff?.reason).toMatch(/not stored: larger than MEDIA_MAX_BYTES/);
    expect(whisper.received.length).toBe(before);
    transcriber.shutdown();
  });
});
