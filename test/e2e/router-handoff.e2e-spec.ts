import { createConnection, Connection } from 'mongoose';
import { CloudEvent, ConversationEvent, OutboundCommand, TOPICS, outboundTopic } from '@omni/contracts';
import type { ConversationDoc } from '@omni/persistence';
import { KafkaHarness } from '../../apps/router/test/kafka-harness';
import { FakeCustomer } from '../../apps/router/test/events';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';

const OUT = outboundTopic('web');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The built router on the real Kafka and FerretDB, with the test playing channel-web and the AI
 * worker: unsatisfied bot turns or a request for a person hand the conversation to the queue, the
 * customer is told in their language, and the bot never speaks again while the queue owns it.
 */
describe('router handoff', () => {
  const name = uniqueName('router-handoff');
  const kafka = new KafkaHarness(KAFKA_BROKERS, `${name}.`);
  let router: RunningApp;
  let db: Connection;

  const sent = (c: FakeCustomer, kind?: string) =>
    kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === c.conversationId && (!kind || e.data.author.kind === kind));
  const conversation = async (c: FakeCustomer) => db.collection<ConversationDoc>('conversations').findOne({ _id: c.conversationId });
  const aiRequests = (c: FakeCustomer) => kafka.events<{ messageId: string }>(TOPICS.aiRequest, (e) => e.subject === c.conversationId);

  /** One customer turn through the router: message in, AI request out, the given AI result back. */
  async function turn(c: FakeCustomer, text: string, ai: Parameters<FakeCustomer['understood']>[1]): Promise<string> {
    const id = await c.say(text);
    await waitFor(`AI request for "${text}"`, async () => aiRequests(c).some((e) => e.data.messageId === id), 15_000);
    await c.understood(id, ai);
    return id;
  }

  beforeAll(async () => {
    router = await startApp('router', { ...stackEnv({ prefix: name, db: name }), INSTANCE_ID: 'router-1' });
    await kafka.start([OUT, TOPICS.aiRequest, TOPICS.conversation]);
    db = await createConnection(mongoUri(name)).asPromise();
  }, 90_000);

  afterAll(async () => {
    await kafka.stop();
    await router?.stop();
    await db?.close();
  });

  it('hands off after 3 unsatisfied turns, tells the customer in Spanish and then stays silent', async () => {
    const ana = new FakeCustomer(kafka, 'ana', 'es');
    const unsure = { intent: { name: 'order_status', confidence: 0.2 }, answer: { text: 'No estoy seguro, ¿puedes reformular?' } };
    await turn(ana, 'mi pedido no llega', unsure);
    await waitFor('first bot reply', async () => sent(ana, 'bot').length === 1, 15_000);
    await turn(ana, 'el pedido 123', unsure);
    await waitFor('second bot reply', async () => sent(ana, 'bot').length === 2, 15_000);
    const third = await turn(ana, 'sigue sin llegar', unsure);

    const notice = await waitFor('handoff notice', async () => sent(ana, 'system')[0], 15_000);
    expect(notice.data.message.text).toBe('Te comunico con una persona de nuestro equipo. Por favor, permanece en este chat.');
    expect(notice.data.replyToMessageId).toBe(third);
    const stored = await conversation(ana);
    expect(stored).toMatchObject({ state: 'queued', version: 1, groupId: 'default', handoff: { messageId: third } });
    const claims = await db.collection('conversation_ownership').find({ conversationId: ana.conversationId }).toArray();
    expect(claims).toMatchObject([{ _id: `${ana.conversationId}:1`, state: 'queued', cause: third }]);
    expect(stored?.handoff?.reasons.map((r) => r.code)).toEqual(['unsatisfied_turns']);
    expect(stored?.handoff?.summary).toMatchObject({ language: 'es', turns: 3, intents: [{ name: 'order_status', count: 3 }] });
    const changed = await waitFor('state_changed event', async () =>
      kafka.events<ConversationEvent>(TOPICS.conversation, (e) => e.subject === ana.conversationId && e.data.kind === 'state_changed')[0], 10_000);
    expect(changed.data).toMatchObject({ state: 'queued', reason: expect.stringContaining('unsatisfied_turns') });

    // The customer keeps writing: no AI request while the queue owns it, and a late AI result
    // (produced anyway, as after a race) makes no reply either.
    const requestsBefore = aiRequests(ana).length;
    const later = await ana.say('¿hola?');
    await waitFor('the late message stored', async () => (await db.collection('messages').findOne({ _id: later as never })) !== null, 10_000);
    await ana.understood(later, { intent: { name: 'greeting', confidence: 0.99 }, answer: { text: '¡Hola!' } });
    // attachAi runs on every AI result, silent or not: once it is there the result was handled.
    await waitFor('the late AI result handled', async () => (await db.collection('messages').findOne({ _id: later as never, ai: { $exists: true } })) !== null, 10_000);
    await sleep(500);
    expect(aiRequests(ana)).toHaveLength(requestsBefore);
    expect(sent(ana, 'bot')).toHaveLength(2);
    // The handoff notice, then the queue position (no agents configured: the default group, ~5 min).
    expect(sent(ana, 'system').map((e) => e.data.message.text)).toEqual([
      'Te comunico con una persona de nuestro equipo. Por favor, permanece en este chat.',
      '¡Gracias! Estás en la posición 1 de la fila. Espera estimada: unos 5 min.',
    ]);
    expect((await conversation(ana))?.state).toBe('queued');
  });

  it('hands off at once when the customer asks for a person in Thai', async () => {
    const somchai = new FakeCustomer(kafka, 'somchai', 'th');
    await turn(somchai, 'ขอคุยกับเจ้าหน้าที่ครับ', { intent: { name: 'order_status', confidence: 0.9 }, answer: { text: 'พัสดุของคุณจะส่งพรุ่งนี้' } });
    const notice = await waitFor('handoff notice', async () => sent(somchai, 'system')[0], 15_000);
    expect(notice.data.message.text).toBe('กำลังโอนสายให้คุณคุยกับเจ้าหน้าที่ของเรา กรุณารออยู่ในแชทนี้');
    expect(sent(somchai, 'bot')).toHaveLength(0);
    const stored = await conversation(somchai);
    expect(stored?.handoff?.reasons).toEqual([{ code: 'customer_requested', detail: 'phrase "เจ้าหน้าที่" (th)' }]);
  });

  it('keeps answering while the bot is doing fine', async () => {
    const bo = new FakeCustomer(kafka, 'bo', 'en');
    const fine = { intent: { name: 'shipping_time', confidence: 0.95 }, answer: { text: 'Standard shipping takes 3–5 business days.' } };
    for (let i = 0; i < 4; i++) await turn(bo, `shipping question ${i}`, { ...fine, intent: { name: `faq_${i}`, confidence: 0.95 } });
    await waitFor('four bot replies', async () => sent(bo, 'bot').length === 4, 15_000);
    const replies: CloudEvent<OutboundCommand>[] = sent(bo, 'bot');
    expect(new Set(replies.map((r) => r.data.messageId)).size).toBe(4);
    expect(await conversation(bo)).toMatchObject({ state: 'bot', version: 0 });
    const turns = await db.collection<{ customerText?: string; ownerVersion: number }>('bot_turns').find({ conversationId: bo.conversationId }).toArray();
    expect(turns.map((t) => t.customerText).sort()).toEqual([0, 1, 2, 3].map((i) => `shipping question ${i}`));
    expect(turns.every((t) => t.ownerVersion === 0)).toBe(true);
  });
});
