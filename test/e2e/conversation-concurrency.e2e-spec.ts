import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundCommand, TOPICS, outboundTopic } from '@omni/contracts';
import { KafkaHarness } from '../../apps/router/test/kafka-harness';
import { FakeCustomer } from '../../apps/router/test/events';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, uniqueName, waitFor } from '../support/env';

const WEB = outboundTopic('web');

/**
 * A stand-in for a slow dependency: requests whose path or body contain `holdOn` wait until
 * `release()`; everything else is answered at once by `answer`.
 */
class HoldingServer {
  private server?: Server;
  private waiting: Array<() => void> = [];
  held = 0;
  url = '';

  constructor(private readonly holdOn: string, private readonly answer: (req: IncomingMessage, body: string) => unknown) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  release(): void {
    for (const go of this.waiting.splice(0)) go();
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    if ((req.url ?? '').includes(this.holdOn) || body.includes(this.holdOn)) {
      this.held++;
      await new Promise<void>((r) => this.waiting.push(r));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(this.answer(req, body)));
  }
}

const botReply = (kafka: KafkaHarness, c: FakeCustomer) =>
  kafka.events<OutboundCommand>(outboundTopic(c.channel), (e) => e.data.conversationId === c.conversationId && e.data.author.kind !== 'system')[0];

/**
 * Keyed concurrency in the router's and the AI worker's consumers (ADR 0011): with every
 * conversation on one partition, the records of one fetched batch run a conversation at a time each,
 * several conversations at once, so one conversation stuck on a slow dependency does not hold the
 * others of its batch. Before, each partition was handled one record at a time, so the second
 * customer waited for the first one's connector call (or provider call) to end. Both records are made
 * to wait on the partition before the consumer starts, so that they reach it in one batch; a record
 * fetched after a batch began still waits for that batch (ADR 0011 says why and what is next).
 */
describe('one slow conversation does not hold the others of its partition', () => {
  describe('router: a workflow waiting on the company’s connector', () => {
    const name = uniqueName('conc-router');
    const kafka = new KafkaHarness(KAFKA_BROKERS, `${name}.`);
    const connector = new HoldingServer('ORD-12345', () => ({ number: 'ORD-12345', status: 'shipped', carrier: 'DHL', total: 259, currency: 'EUR' }));
    const env = () => ({
      ...stackEnv({ prefix: name, db: name }), KAFKA_PARTITIONS: '1', ROUTER_DISPATCH_INTERVAL_MS: '0',
      CONNECTOR_BASE_URL: connector.url, CONNECTOR_TIMEOUT_MS: '20000',
    });
    let router: RunningApp | undefined;

    beforeAll(async () => {
      await connector.start();
      router = await startApp('router', env());
      await kafka.start([WEB, outboundTopic('whatsapp'), TOPICS.aiRequest]);
    }, 90_000);

    afterAll(async () => {
      await kafka.stop();
      await connector.stop();
      await router?.stop();
    });

    it('answers a second customer while the first one’s order lookup is still waiting', async () => {
      // A customer whose number the channel verified: only such a customer's lookup reaches the connector (ADR 0226).
      const slow = new FakeCustomer(kafka, '351912345678', 'en', 'default', 'whatsapp');
      const fast = new FakeCustomer(kafka, 'conc-fast');
      const asked = async (c: FakeCustomer, text: string) => {
        const id = await c.say(text);
        await waitFor(`AI request for ${c.userId}`, async () => kafka.events<{ messageId: string }>(TOPICS.aiRequest, (e) => e.data.messageId === id).length > 0, 15_000);
        return id;
      };
      const slowId = await asked(slow, 'where is my order ORD-12345?');
      const fastId = await asked(fast, 'hello');

      // Both AI results wait on the partition while no router runs, so they reach the next one in one batch.
      await router?.stop();
      router = undefined;
      await slow.understood(slowId, { intent: { name: 'order_status', confidence: 0.93 }, entities: [{ type: 'order_number', value: 'ORD-12345', start: 0, end: 9 }], answer: { text: 'generic order answer' } });
      await fast.understood(fastId, { intent: { name: 'greeting', confidence: 0.95 }, answer: { text: 'Hello there!' } });
      router = await startApp('router', env());

      await waitFor('the order lookup at the connector', async () => connector.held === 1, 30_000);
      const reply = await waitFor('the second customer’s answer while the lookup waits', async () => botReply(kafka, fast), 10_000);
      expect(reply.data.message.text).toBe('Hello there!');
      expect(botReply(kafka, slow)).toBeUndefined();

      connector.release();
      const order = await waitFor('the first customer’s order status', async () => botReply(kafka, slow), 15_000);
      expect(order.data.message.text).toMatch(/ORD-12345.*DHL/);
    });
  });

  describe('AI worker: a draft waiting on the provider', () => {
    const name = uniqueName('conc-ai');
    const kafka = new KafkaHarness(KAFKA_BROKERS, `${name}.`);
    const provider = new HoldingServer('Lisboa', (_req, body) => {
      const user = (JSON.parse(body) as { messages: Array<{ role: string; content: string }> }).messages.find((m) => m.role === 'user')?.content ?? '';
      return { choices: [{ message: { role: 'assistant', content: `drafted: ${user.slice(0, 40)}` } }] };
    });
    const env = () => ({ ...stackEnv({ prefix: name, db: name }), KAFKA_PARTITIONS: '1' });
    let router: RunningApp | undefined;
    let worker: RunningApp | undefined;

    beforeAll(async () => {
      await provider.start();
      router = await startApp('router', { ...env(), ROUTER_DISPATCH_INTERVAL_MS: '0' });
      await kafka.start([WEB, TOPICS.aiRequest]);
    }, 90_000);

    afterAll(async () => {
      await kafka.stop();
      await provider.stop();
      await Promise.all([router?.stop(), worker?.stop()]);
    });

    it('answers a second customer while the first one’s draft is still being written', async () => {
      const slow = new FakeCustomer(kafka, 'conc-ai-slow', 'pt-BR');
      const fast = new FakeCustomer(kafka, 'conc-ai-fast', 'es-ES');
      // Both AI requests wait on the partition before the worker starts, so they reach it in one batch.
      const ids = [await slow.say('quanto tempo demora a entrega para Lisboa?'), await fast.say('¿Cuánto tarda el envío a Sevilla?')];
      await waitFor('both AI requests', async () => ids.every((id) => kafka.events<{ messageId: string }>(TOPICS.aiRequest, (e) => e.data.messageId === id).length > 0), 15_000);
      worker = await startApp('ai-worker', { ...env(), AI_BASE_URL: `${provider.url}/v1`, AI_MODEL: 'test-model', AI_TIMEOUT_MS: '20000' });

      await waitFor('the provider call for the first customer', async () => provider.held === 1, 30_000);
      const reply = await waitFor('the second customer’s answer while the draft waits', async () => botReply(kafka, fast), 15_000);
      expect(reply.data.message.text).toMatch(/^drafted: /);
      expect(botReply(kafka, slow)).toBeUndefined();

      provider.release();
      const drafted = await waitFor('the first customer’s answer', async () => botReply(kafka, slow), 15_000);
      expect(drafted.data.message.text).toMatch(/^drafted: /);
    });
  });
});
