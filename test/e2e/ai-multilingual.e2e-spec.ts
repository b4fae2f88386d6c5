import { createHash } from 'node:crypto';
import { request } from 'node:http';
import * as path from 'node:path';
import { createConnection, Connection } from 'mongoose';
import { AiResult, OutboundCommand, TOPICS, channelEventId, createEvent, outboundTopic } from '@omni/contracts';
import { fillTemplate, loadKnowledgeBase } from '@omni/nlu';
import type { ConversationDoc, WorkflowRunDoc } from '@omni/persistence';
import { KafkaHarness } from '../../apps/router/test/kafka-harness';
import { FakeCustomer } from '../../apps/router/test/events';
import { RunningApp, startApp, startStack } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';

const OUT = outboundTopic('web');
const KB = loadKnowledgeBase(path.resolve(__dirname, '../../libs/nlu/data/demo-tenant/kb.json'));

/** One message per language, none of them in the training data, each expecting its KB article. */
const CASES: ReadonlyArray<[lang: string, text: string, intent: string, articleId: string]> = [
  ['en', 'Where is my order? It has not arrived yet', 'order_status', 'order-status'],
  ['es', '¿Cuánto tarda el envío a Sevilla?', 'shipping_time', 'shipping-times'],
  ['pt', 'Quero devolver o produto e receber meu dinheiro de volta', 'refund', 'refunds'],
  ['fr', "Je voudrais annuler ma commande s'il vous plaît", 'cancel_order', 'cancel-order'],
  ['de', 'Kann ich die Lieferadresse meiner Bestellung noch ändern?', 'change_address', 'change-address'],
  ['ar', 'أين طلبي؟ لم يصل بعد', 'order_status', 'order-status'],
  ['th', 'ส่งของกี่วันถึงคะ', 'shipping_time', 'shipping-times'],
  ['id', 'Pembayaran saya ditolak terus, kenapa ya?', 'payment_problem', 'payment-problems'],
  ['vi', 'Cảm ơn bạn rất nhiều!', 'thanks', 'thanks'],
  ['zh', '我想退款', 'refund', 'refunds'],
];

function article(id: string, lang: string): string {
  const a = KB.articles.find((x) => x.id === id);
  const template = a?.answer[lang];
  if (!template) throw new Error(`no KB answer ${id}/${lang}`);
  return fillTemplate(template, {});
}

/**
 * The built router and AI worker on the real Kafka and FerretDB, the test playing channel-web: a
 * message in each of the ten demo languages is answered by @omni/nlu with the KB article in that
 * language; a voice note without a provider goes to a person with a note saying why.
 */
describe('AI worker answers in the customer’s language', () => {
  const name = uniqueName('ai-multilingual');
  const kafka = new KafkaHarness(KAFKA_BROKERS, `${name}.`);
  let stack: Record<string, RunningApp>;
  let db: Connection;

  let connector: RunningApp;

  beforeAll(async () => {
    // The demo shop's systems (apps/demo-connector), as `npm run up` wires them.
    connector = await startApp('demo-connector', {});
    stack = await startStack({ prefix: name, db: name, extraEnv: { CONNECTOR_BASE_URL: connector.url } }, ['router', 'ai-worker']);
    await kafka.start([OUT, outboundTopic('whatsapp'), TOPICS.aiResult]);
    db = await createConnection(mongoUri(name)).asPromise();
  }, 90_000);

  afterAll(async () => {
    await kafka.stop();
    await Promise.all([...Object.values(stack ?? {}), ...(connector ? [connector] : [])].map((a) => a.stop()));
    await db?.close();
  });

  it('answers a message in each of the 10 languages with the KB article in that language', async () => {
    // The customers' locale is English on purpose: the text, not the browser setting, decides.
    const sent = await Promise.all(CASES.map(async ([lang, text]) => {
      const customer = new FakeCustomer(kafka, `ml-${lang}`, 'en-US');
      return { customer, messageId: await customer.say(text) };
    }));
    const replies = await waitFor('a bot reply in every conversation', async () => {
      const all = sent.map(({ customer }) => kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === customer.conversationId && e.data.author.kind === 'bot')[0]);
      return all.every(Boolean) ? all : null;
    }, 30_000);

    const results = kafka.events<AiResult>(TOPICS.aiResult);
    const got = CASES.map(([lang], i) => {
      const r = results.find((e) => e.data.messageId === sent[i]?.messageId)?.data;
      return { lang, language: r?.language, intent: r?.intent?.name, articleId: r?.answer?.articleId, engine: r?.engine, reply: replies[i]?.data.message.text };
    });
    expect(got).toEqual(CASES.map(([lang, , intent, articleId]) => ({
      lang, language: lang, intent, articleId, engine: 'omni-nlu:demo', reply: article(articleId, lang),
    })));
    for (const r of replies) expect(r.data.author).toEqual({ kind: 'bot', id: 'omni-nlu:demo' });

    // Every prediction is recorded for the tenant's accuracy report.
    const recorded = await waitFor('10 predictions recorded', async () => {
      const docs = await db.collection('nlu_predictions').find({ _id: { $in: sent.map((s) => s.messageId) as never[] } }).toArray();
      return docs.length === CASES.length ? docs : null;
    }, 10_000);
    expect(new Set(recorded.map((d) => String(d.language)))).toEqual(new Set(CASES.map(([lang]) => lang)));
    // The router reports what it did with each prediction (omni.ai.outcome.v1): all ten were answered.
    await waitFor('10 outcomes on the prediction log', async () =>
      (await db.collection('nlu_predictions').countDocuments({ _id: { $in: sent.map((s) => s.messageId) as never[] }, outcome: 'answered' })) === CASES.length, 15_000);
  });

  it('looks an order up in the shop’s system for the number on file, and tells an anonymous visitor how to verify', async () => {
    // What the demo page does: a web visitor proves no contact, so the order stays private (ADR 0226);
    // on WhatsApp the number Meta verified is on the order (apps/demo-connector/src/orders.ts).
    const cases: ReadonlyArray<[channel: 'web' | 'whatsapp', userId: string, text: string, reply: RegExp]> = [
      ['web', 'ml-order-en', 'hi, where is my order ORD-12345??', /^To keep order details private, .*used for order ORD-12345, or ask for a person, who can verify you\.$/],
      ['whatsapp', '351912345678', '¿Dónde está mi pedido ORD-12345? no ha llegado', /^El pedido ORD-12345 está en camino\. Transportista: DHL\./],
    ];
    const sent = await Promise.all(cases.map(async ([channel, userId, text]) => {
      const customer = new FakeCustomer(kafka, userId, 'en-US', 'default', channel);
      await customer.say(text);
      return customer;
    }));
    const replies = await waitFor('an answer in both conversations', async () => {
      const all = sent.map((c) => kafka.events<OutboundCommand>(outboundTopic(c.channel), (e) => e.data.conversationId === c.conversationId && e.data.author.kind === 'bot')[0]);
      return all.every(Boolean) ? all : null;
    }, 30_000);
    cases.forEach(([, , , reply], i) => expect(replies[i]?.data.message.text).toMatch(reply));
    const runs = await db.collection<WorkflowRunDoc>('workflow_runs').find({ conversationId: { $in: sent.map((c) => c.conversationId) } }).toArray();
    const byConversation = (c: FakeCustomer) => runs.find((r) => r.conversationId === c.conversationId);
    expect(sent.map((c) => [byConversation(c)?.workflow, byConversation(c)?.status, byConversation(c)?.inputs.orderNumber, byConversation(c)?.inputs.verifiedBy, byConversation(c)?.steps.length])).toEqual([
      ['lookup_order', 'succeeded', 'ORD-12345', 'none', 0], ['lookup_order', 'succeeded', 'ORD-12345', 'phone', 1],
    ]);
  });

  it('retrains on a tenant’s uploaded data without a restart, records predictions and reports accuracy on feedback', async () => {
    const key = 'acme-admin-key-0123456789';
    await db.collection('api_keys').insertOne({ _id: createHash('sha256').update(key).digest('hex') as never, tenantId: 'acme', name: 'acme admin', role: 'admin', createdAt: new Date() });
    const api = (method: string, route: string, body?: unknown, auth = `Bearer ${key}`) => fetch(`${stack['ai-worker']?.url}/v1/nlu/${route}`, {
      method, headers: { authorization: auth, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect((await api('GET', 'report', undefined, 'Bearer wrong-key-0000000000')).status).toBe(401);

    const examples = [
      ...['when do you open', 'opening hours?', 'are you open on sunday', 'what time do you close'].map((text) => ({ text, label: 'hours', lang: 'en' })),
      ...['do you deliver pizza', 'pizza delivery to my street?', 'can you bring a pizza home', 'delivery area for pizza'].map((text) => ({ text, label: 'delivery', lang: 'en' })),
      ...['¿a qué hora abren?', 'horario de apertura', '¿abren el domingo?', '¿cuándo cierran?'].map((text) => ({ text, label: 'hours', lang: 'es' })),
      ...['¿llevan pizza a domicilio?', 'reparto de pizza a mi calle', '¿traen pizza a casa?', 'zona de reparto de pizza'].map((text) => ({ text, label: 'delivery', lang: 'es' })),
    ];
    const kb = {
      defaultLanguage: 'en',
      messages: { abstain: { en: 'Sorry?', es: '¿Perdón?' }, outOfScope: { en: 'Only pizza here.', es: 'Solo pizza.' } },
      articles: [
        { id: 'hours', intent: 'hours', answer: { en: 'We are open 11:00–23:00 every day.', es: 'Abrimos de 11:00 a 23:00 todos los días.' } },
        { id: 'delivery', intent: 'delivery', answer: { en: 'We deliver within 5 km.', es: 'Repartimos en un radio de 5 km.' } },
      ],
    };
    const uploaded = await api('PUT', 'dataset', { examples, kb });
    expect(uploaded.status).toBe(200);
    expect(await uploaded.json()).toMatchObject({ version: 1, examples: 16, labels: ['delivery', 'hours'], languages: ['en', 'es'] });

    const customer = new FakeCustomer(kafka, 'acme-1', 'es-ES', 'acme');
    const id = await customer.say('¿Abren el sábado por la noche?');
    const reply = await waitFor('acme’s bot reply', async () =>
      kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === customer.conversationId && e.data.author.kind === 'bot')[0], 30_000);
    expect(reply.data.message.text).toBe('Abrimos de 11:00 a 23:00 todos los días.');
    expect(reply.data.author.id).toBe('omni-nlu:tenant:1');

    await waitFor('prediction recorded', async () => db.collection('nlu_predictions').findOne({ _id: id as never }), 10_000);
    expect((await api('POST', 'feedback', { messageId: id, label: 'hours', outcome: 'answered' })).status).toBe(204);
    expect((await api('POST', 'feedback', { messageId: 'unknown', label: 'hours' })).status).toBe(404);
    const report = (await (await api('GET', 'report')).json()) as Record<string, unknown>;
    expect(report).toMatchObject({
      predictions: 1,
      byLanguage: [{ language: 'es', predictions: 1, labelled: 1, correct: 1, accuracy: 1 }],
      outcomes: { answered: 1 },
      byModel: { 'omni-nlu:tenant:1': 1 },
    });
  });

  it('refuses a stranger’s upload before reading its body', async () => {
    // 10 MB announced, 1 KB sent: an answer can only come before the body is read.
    const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const url = new URL(`${stack['ai-worker']?.url}/v1/nlu/dataset`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { authorization: 'Bearer not-a-key-0000000000', 'content-type': 'application/json', 'content-length': String(10 * 1_048_576) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => { resolve({ status: res.statusCode, body }); req.destroy(); });
      });
      req.on('error', reject);
      req.setTimeout(5_000, () => reject(new Error('no answer before the body was complete: it is being read')));
      req.write('{"examples":[' + ' '.repeat(1_000));
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'unauthorized' });
  });

  it('takes an agent’s intent correction through the router: labelled on the prediction log, trained on with entities masked, once', async () => {
    const key = 'initech-admin-key-0123456789';
    await db.collection('api_keys').insertOne({ _id: createHash('sha256').update(key).digest('hex') as never, tenantId: 'initech', name: 'initech admin', role: 'admin', createdAt: new Date() });
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const examples = [
      ...['when do you open', 'opening hours?', 'are you open on sunday', 'what time do you close'].map((text) => ({ text, label: 'hours', lang: 'en' })),
      ...['do you deliver pizza', 'pizza delivery to my street?', 'can you bring a pizza home', 'delivery area for pizza'].map((text) => ({ text, label: 'delivery', lang: 'en' })),
    ];
    const kb = {
      defaultLanguage: 'en',
      messages: { abstain: { en: 'Sorry?' }, outOfScope: { en: 'Only pizza here.' } },
      articles: [{ id: 'hours', intent: 'hours', answer: { en: 'Open 11–23.' } }, { id: 'delivery', intent: 'delivery', answer: { en: 'Within 5 km.' } }],
    };
    const uploaded = await fetch(`${stack['ai-worker']?.url}/v1/nlu/dataset`, { method: 'PUT', headers: auth, body: JSON.stringify({ examples, kb }) });
    expect([uploaded.status, await uploaded.text()]).toEqual([200, expect.stringContaining('"version":1')]);

    const customer = new FakeCustomer(kafka, 'initech-1', 'en-US', 'initech');
    const text = 'my order ORD-777777 came cold, call me on +34 600 111 222';
    const id = await customer.say(text);
    const before = await waitFor('the prediction and its outcome', async () => db.collection('nlu_predictions').findOne({ _id: id as never, outcome: { $exists: true } }), 30_000);
    const correct = (messageId: string, body: unknown) => fetch(`${stack.router?.url}/v1/conversations/${customer.conversationId}/messages/${messageId}/intent`, {
      method: 'POST', headers: auth, body: JSON.stringify(body),
    });
    const accepted = await correct(id, { label: 'delivery', train: true });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ messageId: id, label: 'delivery', train: true });

    // People's feedback is kept beside the prediction, which the router's outcomes keep writing to.
    await waitFor('the label on the prediction', async () => db.collection('nlu_feedback').findOne({ _id: id as never, tenantId: 'initech', label: 'delivery' }), 15_000);
    const labelled = await db.collection('nlu_predictions').findOne({ _id: id as never });
    expect(labelled?.outcome).toBe(before.outcome); // what the router recorded (answered or handed off) stays
    const trained = await waitFor('version 2 of initech’s data', async () => db.collection('nlu_datasets').findOne({ tenantId: 'initech', version: 2 }), 30_000);
    const added = (trained.examples as { text: string; label: string; lang?: string }[]).at(-1);
    expect(added).toMatchObject({ label: 'delivery', lang: 'en' });
    expect(added?.text).toContain('<order>');
    expect(added?.text).toContain('<phone>');
    expect(added?.text).not.toMatch(/777777|600/);

    // The same correction again (a retried click) trains nothing new; bad requests are refused.
    expect((await correct(id, { label: 'delivery', train: true })).status).toBe(202);
    const reply = await waitFor('the bot’s reply stored', async () => db.collection('messages').findOne({ conversationId: customer.conversationId, direction: 'outbound' }), 15_000);
    expect((await correct(String(reply._id), { label: 'hours' })).status).toBe(400);
    expect((await correct('no-such-message', { label: 'hours' })).status).toBe(404);
    expect((await correct(id, { label: 'hours', extra: 1 })).status).toBe(400);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await db.collection('nlu_datasets').countDocuments({ tenantId: 'initech' })).toBe(2);
  });

  it('records the conversation’s CSAT on its predictions, and the report shows outcome figures per language', async () => {
    const started = new Date(Date.now() - 1_000);
    const customer = new FakeCustomer(kafka, 'ml-csat', 'pt-BR');
    const asked = await customer.say('quanto tempo demora a entrega para Lisboa?');
    await waitFor('the bot’s answer', async () =>
      kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === customer.conversationId && e.data.author.kind === 'bot')[0], 30_000);
    const resolved = await fetch(`${stack.router?.url}/v1/conversations/${customer.conversationId}/resolve`, {
      method: 'POST', headers: { authorization: 'Bearer omni-demo-admin-key', 'content-type': 'application/json' },
    });
    expect(resolved.status).toBe(201);
    await waitFor('the CSAT question', async () =>
      kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === customer.conversationId && e.data.author.kind === 'system')[0], 15_000);
    await customer.say('2');
    const rated = await waitFor('the rating on the prediction', async () => db.collection('nlu_predictions').findOne({ _id: asked as never, csat: 2 }), 15_000);
    expect(rated).toMatchObject({ outcome: 'answered', language: 'pt', intent: 'shipping_time' });

    const report = (await (await fetch(`${stack['ai-worker']?.url}/v1/nlu/report?from=${encodeURIComponent(started.toISOString())}`, {
      headers: { authorization: 'Bearer omni-demo-admin-key' },
    })).json()) as { byLanguage: Array<{ language: string; outcomes: { answered: number; csat: { rated: number; negative: number } } }>; timeline: unknown[] };
    const pt = report.byLanguage.find((l) => l.language === 'pt');
    expect(pt?.outcomes.answered).toBeGreaterThanOrEqual(1);
    expect(pt?.outcomes.csat).toMatchObject({ rated: 1, negative: 1 });
    expect(report.timeline.length).toBeGreaterThan(0);
  });

  it('hands a voice note to a person, with the reason in the agent’s summary, when no provider is configured', async () => {
    const customer = new FakeCustomer(kafka, 'ml-voice', 'pt-BR');
    const channelMessageId = 'ml-voice-audio-1';
    const id = channelEventId('web', `default:web-default`, channelMessageId);
    await kafka.publish(TOPICS.inbound, createEvent({
      type: 'omni.message.received.v1', id, source: '/channels/web/web-default', subject: customer.conversationId, tenantId: 'default', region: 'local',
      data: {
        tenantId: 'default', region: 'local', channel: 'web', accountId: 'web-default', conversationId: customer.conversationId,
        customer: { channelUserId: 'ml-voice', locale: 'pt-BR' },
        message: {
          channelMessageId, direction: 'inbound', type: 'audio', attachments: [{ kind: 'audio', mime: 'audio/ogg', mediaId: 'voice-1' }], timestamp: new Date().toISOString(),
        },
      },
    }));
    const notice = await waitFor('handoff notice', async () =>
      kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === customer.conversationId && e.data.author.kind === 'system')[0], 30_000);
    // The router's notice in the customer's language (the locale is the only hint a voice note carries).
    expect(notice.data.message.text).toMatch(/pessoa/);
    const stored = await db.collection<ConversationDoc>('conversations').findOne({ _id: customer.conversationId });
    expect(stored?.state).toBe('queued');
    expect(stored?.handoff?.reasons).toEqual([{ code: 'ai_requested', detail: expect.stringContaining('audio message without text') }]);
    expect(kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === customer.conversationId && e.data.author.kind === 'bot')).toHaveLength(0);
    // The prediction log learns the handoff and its reason from the router.
    const logged = await waitFor('the handoff on the prediction log', async () => db.collection('nlu_predictions').findOne({ _id: id as never, outcome: 'handed_off' }), 15_000);
    expect(logged).toMatchObject({ handoffReasons: ['ai_requested'], abstained: true });
  });
});
