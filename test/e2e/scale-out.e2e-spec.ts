import { OutboundCommand, outboundTopic } from '@omni/contracts';
import { KafkaHarness } from '../../apps/router/test/kafka-harness';
import { FakeCustomer } from '../../apps/router/test/events';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, uniqueName, waitFor } from '../support/env';

const WEB = outboundTopic('web');
const CUSTOMERS = 24;
const TEXTS = ['hello', 'how long does shipping take?', 'thanks!'];

/** Records of the router's inbound group (omni_kafka_consumed_total) one replica handled. */
async function inboundHandled(app: RunningApp): Promise<number> {
  const text = await (await fetch(`${app.adminUrl}/metrics`)).text();
  return text.split('\n')
    .filter((l) => l.startsWith('omni_kafka_consumed_total{') && l.includes('group="router.inbound"'))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

/**
 * Scale-out (ADR 0011): two routers and two AI workers on the same topics (three partitions) share the
 * conversations — each replica handles some — and every customer message is answered exactly once,
 * each conversation's answers in the order of its messages.
 */
describe('two routers and two AI workers share the load', () => {
  const name = uniqueName('scale-out');
  const kafka = new KafkaHarness(KAFKA_BROKERS, `${name}.`);
  const apps: RunningApp[] = [];
  const routers = () => apps.filter((a) => a.name === 'router');

  beforeAll(async () => {
    const env = { ...stackEnv({ prefix: name, db: name }), ROUTER_DISPATCH_INTERVAL_MS: '0' };
    for (const [app, instance] of [['router', 1], ['ai-worker', 1], ['router', 2], ['ai-worker', 2]] as const) {
      apps.push(await startApp(app, { ...env, INSTANCE_ID: `${app}-${instance}` }));
    }
    await kafka.start([WEB]);
  }, 180_000);

  afterAll(async () => {
    await kafka.stop();
    await Promise.all(apps.map((a) => a.stop()));
  });

  it('answers every message once, in order per conversation, with both replicas working', async () => {
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => new FakeCustomer(kafka, `scale-${i}`));
    const sent = new Map<string, string[]>();
    for (const text of TEXTS) {
      await Promise.all(customers.map(async (c) => {
        const id = await c.say(text);
        sent.set(c.conversationId, [...(sent.get(c.conversationId) ?? []), id]);
      }));
    }
    const total = CUSTOMERS * TEXTS.length;
    const answers = () => kafka.events<OutboundCommand>(WEB, (e) => e.data.author.kind === 'bot' && e.data.replyToMessageId !== undefined);
    // Every message is answered (the replyTo of one bot answer each)…
    await waitFor(`${total} answers`, async () => new Set(answers().map((e) => e.data.replyToMessageId)).size === total, 120_000, 250);
    // …and nothing twice: a little longer for a late duplicate to show.
    await new Promise((r) => setTimeout(r, 2_000));
    const all = answers();
    const perMessage = new Map<string, string[]>();
    for (const e of all) perMessage.set(e.data.replyToMessageId ?? '', [...new Set([...(perMessage.get(e.data.replyToMessageId ?? '') ?? []), e.data.messageId])]);
    expect([...perMessage.values()].filter((ids) => ids.length !== 1)).toEqual([]);
    expect(perMessage.size).toBe(total);

    for (const c of customers) {
      const order = [...new Set(all.filter((e) => e.data.conversationId === c.conversationId).map((e) => e.data.replyToMessageId))];
      expect(order).toEqual(sent.get(c.conversationId));
    }
    const handled = await Promise.all(routers().map(inboundHandled));
    expect(handled.every((n) => n > 0)).toBe(true);
    expect(handled.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(total);
  });
});
