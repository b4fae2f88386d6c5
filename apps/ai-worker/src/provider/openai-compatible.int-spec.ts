import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NluAnswerer } from '../answer/nlu-answerer';
import { TenantModels } from '../nlu/tenant-models';
import { fallbacks, InMemoryDatasets, aConfig, aRequest } from '../testing';
import { OpenAiCompatibleDrafter } from './openai-compatible.drafter';

interface Recorded {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** A local server that plays the OpenAI chat-completions contract and records every request. */
class FakeOpenAi {
  readonly requests: Recorded[] = [];
  mode: 'ok' | 'hang' = 'ok';
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
    let body = '';
    for await (const chunk of req) body += String(chunk);
    this.requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
    if (this.mode === 'hang') return; // never answers: the client's timeout must fire
    const parsed = JSON.parse(body) as { messages: Array<{ content: string }> };
    const placeholders = [...new Set(parsed.messages.map((m) => m.content).join(' ').match(/\[[a-z_]+_\d+\]/g) ?? [])];
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'test-model',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `Drafted reply about ${placeholders.join(' and ')}.` } }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }));
  }
}

const MESSAGES: ReadonlyArray<[lang: string, text: string, secrets: string[]]> = [
  ['en', 'Where is my order ORD-483920? Email me at jane.doe@example.com or call +44 7700 900123', ['483920', 'jane.doe', 'example.com', '7700', '900123']],
  ['es', '¿Dónde está mi pedido #558213? Mi correo es ana.lopez@correo.es y mi móvil +34 612 345 678', ['558213', 'ana.lopez', 'correo.es', '612 345 678', '612345678']],
  ['de', 'Wo bleibt meine Bestellung ORD-771234? Rufen Sie mich an: 0151 23456789', ['771234', '23456789', '0151']],
  // Names, street addresses, dates of birth and IBANs (issue 15 #14).
  ['en', 'Where is my order ORD-483920? It has not arrived. I am Maria Fernandes, 221B Baker Street, born 12/03/1985, account DE89 3704 0044 0532 0130 00',
    ['483920', 'Maria', 'Fernandes', 'Baker', '221B', '1985', 'DE89', '3704 0044', '0532 0130']],
  ['pt', 'Onde está o meu pedido #558213? Meu nome é João Silva, moro na Rua das Flores, 123, nascido em 21/07/1990, IBAN PT50 0002 0123 1234 5678 9015 4',
    ['558213', 'João', 'Silva', 'Flores', '21/07/1990', 'PT50', '0002 0123']],
];

describe('OpenAI-compatible provider (a local server playing the contract)', () => {
  const server = new FakeOpenAi();
  let models: TenantModels;
  let url: string;

  beforeAll(async () => {
    url = await server.start();
    models = new TenantModels(aConfig({ NLU_FASTTEXT: 'off' }), new InMemoryDatasets());
    await models.onModuleInit();
  }, 30_000);

  afterAll(() => server.close());

  it('sends no e-mail, phone, order number, name, address, birth date or IBAN of the customer, and the reply gets them back locally', async () => {
    const drafter = new OpenAiCompatibleDrafter({ baseUrl: url, apiKey: 'sk-local-test', model: 'test-model', timeoutMs: 5_000 });
    const answerer = new NluAnswerer(models, fallbacks(), drafter);
    for (const [lang, text, secrets] of MESSAGES) {
      const before = server.requests.length;
      const u = await answerer.understand(aRequest(text));
      expect(u).toMatchObject({ language: lang, intent: { name: 'order_status' }, answer: { articleId: 'order-status' } });
      expect(server.requests).toHaveLength(before + 1);
      const recorded = server.requests.at(-1);
      expect(recorded).toMatchObject({ path: '/v1/chat/completions', authorization: 'Bearer sk-local-test' });
      for (const secret of secrets) expect(recorded?.body).not.toContain(secret);
      const body = JSON.parse(recorded?.body ?? '{}') as { model: string; messages: Array<{ role: string; content: string }> };
      expect(body.model).toBe('test-model');
      expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
      expect(body.messages[1]?.content).toContain('[order_number_1]');
      // The draft is the reply, with the customer's own order number restored locally.
      expect(u.answer?.text).toMatch(/^Drafted reply about /);
      expect(u.answer?.text).toContain(secrets[0]);
      expect(u.reasons.at(-1)).toMatch(/drafted by openai-compatible:test-model/);
    }
    drafter.shutdown();
  });

  it('times out a provider that does not answer and keeps the offline answer', async () => {
    server.mode = 'hang';
    const drafter = new OpenAiCompatibleDrafter({ baseUrl: url, model: 'test-model', timeoutMs: 300 });
    const started = Date.now();
    const u = await new NluAnswerer(models, fallbacks(), drafter).understand(aRequest('how long does shipping take to Berlin?'));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(u.answer?.articleId).toBe('shipping-times');
    expect(u.answer?.text).toBe((await new NluAnswerer(models, fallbacks()).understand(aRequest('how long does shipping take to Berlin?'))).answer?.text);
    expect(u.reasons.at(-1)).toMatch(/unavailable \(.*timed out.*\), offline KB answer/);
    server.mode = 'ok';
    drafter.shutdown();
  });

  it('opens the breaker when the server is down, and answers still flow offline without calling it', async () => {
    const down = new FakeOpenAi();
    const downUrl = await down.start();
    await down.close(); // nothing listens on that port any more
    const drafter = new OpenAiCompatibleDrafter({ baseUrl: downUrl, model: 'test-model', timeoutMs: 1_000, volumeThreshold: 3, resetTimeoutMs: 60_000 });
    const answerer = new NluAnswerer(models, fallbacks(), drafter);
    const offline = new NluAnswerer(models, fallbacks());
    for (const text of ['where is my order?', 'I want a refund', 'how long does shipping take?', 'can I cancel my order?', 'where is my parcel']) {
      const u = await answerer.understand(aRequest(text));
      expect(u.answer).toEqual((await offline.understand(aRequest(text))).answer);
      expect(u.answer?.articleId).toEqual(expect.any(String));
    }
    expect(drafter.breaker.opened).toBe(true);
    const u = await answerer.understand(aRequest('where is my order?'));
    expect(u.reasons.at(-1)).toMatch(/circuit open\), offline KB answer$/);
    expect(drafter.breaker.stats.rejects).toBeGreaterThan(0);
    drafter.shutdown();
  });
});
