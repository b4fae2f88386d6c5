import { createHash } from 'node:crypto';
import { createConnection, Connection } from 'mongoose';
import { OutboundCommand, TOPICS, outboundTopic } from '@omni/contracts';
import { ConversationDoc, ExperimentOutcomeDoc, MessageDoc, WorkflowRunDoc, customerKey } from '@omni/persistence';
import { assignVariant, parseExperiment } from '@omni/routing';
import { KafkaHarness } from '../../apps/router/test/kafka-harness';
import { FakeCustomer } from '../../apps/router/test/events';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';

const ADMIN_KEY = 'test-admin-key-of-default-tenant';
const OTHER_KEY = 'test-key-of-the-other-tenant-0002';
const WEB = outboundTopic('web');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Ai = Parameters<FakeCustomer['understood']>[1];
const order = (value: string) => ({ type: 'order_number', value, start: 0, end: value.length });
const confident = (name: string, entities: Ai['entities'] = []): Ai => ({ intent: { name, confidence: 0.92 }, entities, answer: { text: `generic answer about ${name}` } });

/**
 * One router, the demo connector and the test playing channel-web and the AI worker, on the real
 * Kafka and FerretDB: flow experiments that change behaviour and their report, intent-triggered
 * workflows through the connector (and its failure), unified customer history, and the
 * conversation report over everything the suite did.
 */
describe('router flows: experiments, workflows, customers, reports', () => {
  const name = uniqueName('router-flows');
  const kafka = new KafkaHarness(KAFKA_BROKERS, `${name}.`);
  const started = new Date(Date.now() - 1_000);
  let router: RunningApp;
  let connector: RunningApp;
  let db: Connection;

  const call = (path: string, init: RequestInit & { key?: string } = {}) => {
    const { key = ADMIN_KEY, ...rest } = init;
    return fetch(`${router.url}${path}`, { ...rest, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(rest.headers ?? {}) } });
  };
  const json = async <T>(path: string, init: RequestInit & { key?: string } = {}): Promise<T> => {
    const res = await call(path, init);
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const sent = (c: FakeCustomer, topic = WEB) => kafka.events<OutboundCommand>(topic, (e) => e.data.conversationId === c.conversationId);
  const conversation = (c: FakeCustomer) => db.collection<ConversationDoc>('conversations').findOne({ _id: c.conversationId });
  const aiRequested = (c: FakeCustomer, id: string) => kafka.events<{ messageId: string }>(TOPICS.aiRequest, (e) => e.subject === c.conversationId && e.data.messageId === id).length > 0;

  async function turn(c: FakeCustomer, text: string, ai: Ai): Promise<string> {
    const id = await c.say(text);
    await waitFor(`AI request for "${text}"`, async () => aiRequested(c, id), 15_000);
    await c.understood(id, ai);
    return id;
  }

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
    await db.collection('api_keys').insertOne({ _id: createHash('sha256').update(OTHER_KEY).digest('hex') as never, tenantId: 'other', name: 'other', role: 'admin', createdAt: new Date() });
    connector = await startApp('demo-connector', {});
    router = await startApp('router', {
      ...stackEnv({ prefix: name, db: name }), API_KEY: ADMIN_KEY, ROUTER_DISPATCH_INTERVAL_MS: '0',
      CONNECTOR_BASE_URL: connector.url, CONNECTOR_TIMEOUT_MS: '500',
    });
    await kafka.start([WEB, outboundTopic('whatsapp'), outboundTopic('email'), TOPICS.aiRequest]);
  }, 90_000);

  afterAll(async () => {
    await kafka.stop();
    await router?.stop();
    await connector?.stop();
    await db?.close();
  });

  describe('A/B testing of flows', () => {
    const config = {
      variants: [
        { id: 'strict', weight: 1, params: { handoffThreshold: 1, greeting: { en: 'Hi! Strict bot here.' }, replyStyle: 'buttons' } },
        { id: 'patient', weight: 1, params: { greeting: { en: 'Hello! Patient bot here.' } } },
      ],
    };
    // Customers whose deterministic variant is known before they write.
    const experiment = parseExperiment({ id: 'flow-1', ...config });
    const pick = (variant: string) => {
      for (let i = 0; ; i++) if (assignVariant(experiment, customerKey('default', 'web', 'web-default', `ab-${i}`)) === variant) return `ab-${i}`;
    };
    const strict = () => new FakeCustomer(kafka, pick('strict'), 'en');
    const patient = () => new FakeCustomer(kafka, pick('patient'), 'en');

    it('validates and stores a tenant’s experiment', async () => {
      const bad = await call('/v1/experiments/flow-1', { method: 'PUT', body: JSON.stringify({ variants: [{ id: 'a', weight: 1, params: { handoffThreshold: 0 } }] }) });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('handoffThreshold');
      expect(await json('/v1/experiments/flow-1', { method: 'PUT', body: JSON.stringify(config) })).toMatchObject({ experimentId: 'flow-1', active: true, tenantId: 'default' });
      expect(await json<unknown[]>('/v1/experiments', { key: OTHER_KEY })).toEqual([]);
      expect((await call('/v1/experiments/flow-1/report', { key: OTHER_KEY })).status).toBe(404);
    });

    it('applies the variant: greeting, handoff threshold, reply style; records outcomes; reports them with CIs', async () => {
      // The experiment cache lives 10 s in each router; this router's was invalidated by the PUT.
      const s = strict();
      const p = patient();
      const unsure: Ai = { intent: { name: 'order_status', confidence: 0.2 }, answer: { text: 'Sorry, could you rephrase?' } };
      for (const c of [s, p]) await turn(c, 'hello', { intent: { name: 'greeting', confidence: 0.97 }, answer: { text: 'Hello! How can I help?' } });
      await waitFor('both welcomes', async () => sent(s).length >= 1 && sent(p).length >= 1, 15_000);
      expect(sent(s)[0]?.data.message.text).toBe('Hi! Strict bot here.');
      expect(sent(p)[0]?.data.message.text).toBe('Hello! Patient bot here.');
      expect((await conversation(s))?.experiments).toEqual([{ experimentId: 'flow-1', variantId: 'strict', params: config.variants[0]?.params }]);

      // One unsatisfied turn: the strict variant (threshold 1) hands off, the patient one (tenant default 3) answers.
      await turn(s, 'my parcel thing', unsure);
      await turn(p, 'my parcel thing', unsure);
      await waitFor('strict handed off', async () => (await conversation(s))?.state === 'queued', 15_000);
      await waitFor('patient answered', async () => sent(p).some((e) => e.data.message.text === 'Sorry, could you rephrase?'), 15_000);
      expect((await conversation(p))?.state).toBe('bot');
      // Neither got the bot's own "Hello! How can I help?" on top of the variant's greeting.
      expect([...sent(s), ...sent(p)].filter((e) => e.data.message.text === 'Hello! How can I help?')).toEqual([]);

      // An agent serves the handed-off one (a conversation abandoned in the queue gets no CSAT question).
      await json('/v1/agents/ana', { method: 'PUT', body: JSON.stringify({ name: 'Ana', groupIds: ['default'], languages: ['en'], maxConcurrent: 2, presence: 'online' }) });
      expect(await json(`/v1/conversations/${s.conversationId}/assign`, { method: 'POST', body: JSON.stringify({ agentId: 'ana' }) })).toMatchObject({ state: 'assigned' });
      expect((await call(`/v1/conversations/${s.conversationId}/messages`, { method: 'POST', body: JSON.stringify({ agentId: 'ana', text: 'Ana here, let me look.' }) })).status).toBe(201);
      for (const c of [s, p]) expect((await call(`/v1/conversations/${c.conversationId}/resolve`, { method: 'POST' })).status).toBe(201);
      // Later handoffs in this suite stay in the queue.
      expect(await json('/v1/agents/ana/presence', { method: 'PUT', body: JSON.stringify({ presence: 'offline' }) })).toMatchObject({ presence: 'offline' });
      const ask = (c: FakeCustomer) => sent(c).find((e) => e.data.message.text?.startsWith('How would you rate'));
      await waitFor('CSAT asked twice', async () => ask(s) !== undefined && ask(p) !== undefined, 10_000);
      expect(ask(s)?.data.message.buttons?.map((b) => b.id)).toEqual(['csat:5', 'csat:4', 'csat:3', 'csat:2', 'csat:1']);
      expect(ask(p)?.data.message.buttons).toBeUndefined();
      await s.say('', { interactive: { kind: 'button', id: 'csat:4', title: '4' } });
      await p.say('5');
      const outcomes = db.collection<ExperimentOutcomeDoc>('experiment_outcomes');
      await waitFor('both ratings on the outcomes', async () => (await outcomes.countDocuments({ experimentId: 'flow-1', csat: { $exists: true } })) === 2, 15_000);

      const report = await json<{ variants: { variantId: string; conversations: number; containment: { rate: number; ci: { low: number; high: number } }; csat: { mean: number } }[] }>('/v1/experiments/flow-1/report');
      const [rs, rp] = report.variants;
      expect(rs).toMatchObject({ variantId: 'strict', conversations: 1, containment: { successes: 0, n: 1, rate: 0 }, csat: { n: 1, mean: 4 } });
      expect(rp).toMatchObject({ variantId: 'patient', conversations: 1, containment: { successes: 1, n: 1, rate: 1 }, csat: { n: 1, mean: 5 } });
      // Wilson 95% for 0/1 and 1/1: [0, 0.793451] and [0.206549, 1].
      expect(rs?.containment.ci.high).toBeCloseTo(0.793451, 5);
      expect(rp?.containment.ci.low).toBeCloseTo(0.206549, 5);
      const stored = await outcomes.find({ experimentId: 'flow-1' }).sort({ variantId: -1 }).toArray();
      expect(stored.map((o) => [o.variantId, o.conversationId, o.handedOff, o.csat])).toEqual([['strict', s.conversationId, true, 4], ['patient', p.conversationId, false, 5]]);

      // Switched off: later conversations get no variant.
      expect(await json('/v1/experiments/flow-1', { method: 'PUT', body: JSON.stringify({ ...config, active: false }) })).toMatchObject({ active: false });
    });
  });

  describe('automation workflows through the demo connector', () => {
    const runsOf = (c: FakeCustomer) => json<WorkflowRunDoc[]>(`/v1/conversations/${c.conversationId}/workflows`);
    const botSaid = async (c: FakeCustomer, to?: string) =>
      (await waitFor('bot reply', async () => sent(c, outboundTopic(c.channel)).find((e) => e.data.author.kind === 'bot' && (!to || e.data.replyToMessageId === to)), 15_000)).data.message.text;
    const idOf = (c: FakeCustomer) => customerKey('default', c.channel, `${c.channel}-default`, c.userId);
    const verifyFirst = /^To keep order details private, I can only share them with whoever placed the order.* used for order ORD-\d+, or ask for a person, who can verify you\.$/;

    // The demo orders belong to contacts on file (apps/demo-connector/src/orders.ts): ORD-12345 to +351912345678
    // and ana.silva@example.com, ORD-777001 to +351912345678 and joao.costa@example.com.
    it('looks up an order for the WhatsApp number on file, in the customer’s language', async () => {
      const lu = new FakeCustomer(kafka, '351912345678', 'es', 'default', 'whatsapp');
      await turn(lu, '¿dónde está mi pedido ORD-12345?', { ...confident('order_status', [order('ORD-12345')]), language: 'es' });
      expect(await botSaid(lu)).toMatch(/^El pedido ORD-12345 está en camino\. Transportista: DHL\. Entrega prevista: \d+ de \w+ de \d{4}\.$/);
      const [run] = await runsOf(lu);
      expect(run).toMatchObject({ workflow: 'lookup_order', intent: 'order_status', inputs: { orderNumber: 'ORD-12345', verifiedBy: 'phone' }, status: 'succeeded', outcome: { kind: 'reply' } });
      expect(run?.steps).toMatchObject([{ name: 'lookup_order', input: { method: 'GET', path: 'orders/ORD-12345' }, output: { status: 200, body: { status: 'shipped', carrier: 'DHL' } } }]);
      expect((await call(`/v1/conversations/${lu.conversationId}/workflows`, { key: OTHER_KEY })).status).toBe(404);
    });

    it('tells an anonymous web visitor how to verify, and asks the connector nothing', async () => {
      const anon = new FakeCustomer(kafka, 'wf-anonymous', 'en');
      await turn(anon, 'where is my order ORD-12345?', confident('order_status', [order('ORD-12345')]));
      expect(await botSaid(anon)).toMatch(verifyFirst);
      expect(await runsOf(anon)).toMatchObject([{ status: 'succeeded', inputs: { verifiedBy: 'none' }, steps: [] }]);
      const refund = await turn(anon, 'refund ORD-777001', confident('refund', [order('ORD-777001')]));
      expect(await botSaid(anon, refund)).toMatch(verifyFirst);
      // A stranger's verified number owns nothing: the same answer as a missing order, never the order.
      const eve = new FakeCustomer(kafka, '14155550999', 'en', 'default', 'whatsapp');
      await turn(eve, 'where is ORD-12345', confident('order_status', [order('ORD-12345')]));
      expect(await botSaid(eve)).toBe("I couldn't find order ORD-12345 for the phone number or email address you're writing from. Please check the number, or write from the contact used for the order.");
      expect((await runsOf(eve))[0]?.steps).toMatchObject([{ name: 'lookup_order', output: { status: 404 } }]);
    });

    it('answers an email only when that very mail passed DMARC for the address on file', async () => {
      const ana = new FakeCustomer(kafka, 'ana.silva@example.com', 'en', 'default', 'email');
      const verified = await ana.say('where is ORD-12345?', { meta: { senderVerified: true, senderAuth: 'dmarc=pass' } });
      await waitFor('AI request', async () => aiRequested(ana, verified), 15_000);
      await ana.understood(verified, confident('order_status', [order('ORD-12345')]));
      expect(await botSaid(ana, verified)).toMatch(/^Order ORD-12345 is on its way\. Carrier: DHL\./);
      // The same From with no aligned pass (anyone can type it) lands in the same conversation: no data.
      const spoofed = await ana.say('and where is ORD-12345 now?', { meta: { senderVerified: false, senderAuth: 'dmarc=none' } });
      await waitFor('AI request', async () => aiRequested(ana, spoofed), 15_000);
      await ana.understood(spoofed, confident('order_status', [order('ORD-12345')]));
      expect(await botSaid(ana, spoofed)).toMatch(verifyFirst);
    });

    it('starts a small refund, opens a ticket, and hands a refund above the tenant’s threshold to a person', async () => {
      const small = new FakeCustomer(kafka, 'joao.costa@example.com', 'en', 'default', 'email');
      const asked = await small.say('I want a refund for ORD-777001', { meta: { senderVerified: true, senderAuth: 'dmarc=pass' } });
      await waitFor('AI request', async () => aiRequested(small, asked), 15_000);
      await small.understood(asked, confident('refund', [order('ORD-777001')]));
      expect(await botSaid(small)).toMatch(/^I've started refund R-\d+ of €49\.90 for order ORD-777001\./);

      const ticket = new FakeCustomer(kafka, 'wf-ticket', 'pt');
      await turn(ticket, 'a caixa chegou molhada', { ...confident('complaint'), language: 'pt' });
      expect(await botSaid(ticket)).toMatch(/^Abri o chamado T-\d+; nossa equipe vai responder por aqui\.$/);
      const tickets = (await (await fetch(`${connector.url}/tickets`)).json()) as { body: { description: string; conversationId: string }; verifiedContacts: unknown[] }[];
      expect(tickets.map((t) => [t.body, t.verifiedContacts])).toEqual([[expect.objectContaining({ description: 'a caixa chegou molhada', conversationId: ticket.conversationId }), []]]);

      // A web visitor an agent verified (e.g. by a code sent to the number on file) is that number's customer.
      const big = new FakeCustomer(kafka, 'wf-refund-big', 'en');
      await turn(big, 'hi', { intent: { name: 'greeting', confidence: 0.95 }, answer: { text: 'Hello!' } });
      await waitFor('customer stored', async () => (await db.collection('customers').countDocuments({ _id: idOf(big) as never })) === 1, 15_000);
      await json(`/v1/customers/${idOf(big)}/verified-contacts`, { method: 'POST', body: JSON.stringify({ kind: 'phone', value: '+351 912 345 678' }) });
      await turn(big, 'refund ORD-12345 please', confident('refund', [order('ORD-12345')]));
      await waitFor('handed off', async () => (await conversation(big))?.state === 'queued', 15_000);
      expect((await conversation(big))?.handoff?.reasons).toEqual([{ code: 'human_only_intent', detail: 'refund of 259 EUR for order ORD-12345 is above the automatic limit 100' }]);
      expect((await runsOf(big))[0]).toMatchObject({ status: 'handed_off', inputs: { verifiedBy: 'phone' }, steps: [{ name: 'lookup_order' }] });
      expect(sent(big).filter((e) => e.data.author.kind === 'bot' && e.data.message.text !== 'Hello!')).toEqual([]);
      const refunds = (await (await fetch(`${connector.url}/refunds`)).json()) as { body: { orderNumber: string }; verifiedContacts: unknown[] }[];
      expect(refunds.map((r) => [r.body.orderNumber, r.verifiedContacts])).toEqual([['ORD-777001', [{ kind: 'email', value: 'joao.costa@example.com' }]]]);
    });

    it('hands off with the reason when the connector fails', async () => {
      await connector.stop();
      const down = new FakeCustomer(kafka, '14155550123', 'en', 'default', 'whatsapp');
      const t0 = Date.now();
      await turn(down, 'where is ORD-483920?', confident('order_status', [order('ORD-483920')]));
      await waitFor('handed off', async () => (await conversation(down))?.state === 'queued', 20_000);
      const handedOffAfter = Date.now() - t0;
      const reasons = (await conversation(down))?.handoff?.reasons ?? [];
      // Refused connections, or the breaker already open on them: either way the reason names the step and the connector.
      expect(reasons).toEqual([{ code: 'workflow_failed', detail: expect.stringMatching(/^lookup_order: step lookup_order failed \((connector_unreachable: connector |dependency_unavailable: connector:)127\.0\.0\.1:\d+/) }]);
      const [run] = await runsOf(down);
      expect(run).toMatchObject({ status: 'failed', steps: [{ name: 'lookup_order', error: { code: expect.stringMatching(/^(connector_unreachable|dependency_unavailable)$/) } }] });
      await waitFor('the handoff notice', async () => sent(down, outboundTopic('whatsapp')).some((e) => e.data.message.text === "I'm connecting you with a person from our team. Please stay in this chat."), 10_000);
      expect(handedOffAfter).toBeLessThan(15_000);
    });
  });

  describe('unified customer history', () => {
    const wa = () => new FakeCustomer(kafka, '5511987654321', 'pt', 'default', 'whatsapp');
    const mail = () => new FakeCustomer(kafka, 'Ana.Silva@example.com', 'pt', 'default', 'email');
    const web = () => new FakeCustomer(kafka, 'browser-ana', 'pt');
    const idOf = (c: FakeCustomer) => customerKey('default', c.channel, `${c.channel}-default`, c.userId);

    it('links a verified phone and an agent’s merge into one history across channels, losing no message', async () => {
      const [w, m, b] = [wa(), mail(), web()];
      for (const c of [w, m, b]) {
        await turn(c, `oi, aqui é pelo ${c.channel}`, { intent: { name: 'greeting', confidence: 0.9 }, answer: { text: 'Olá!' } });
        await turn(c, 'e o meu pedido?', { intent: { name: 'order_status', confidence: 0.9 }, answer: { text: 'Qual o número do pedido?' } });
      }
      await waitFor('every bot reply stored', async () => (await db.collection<MessageDoc>('messages').countDocuments({ conversationId: { $in: [w, m, b].map((c) => c.conversationId) }, 'author.kind': 'bot' })) === 6, 15_000);
      const history = (c: FakeCustomer, key = ADMIN_KEY) => json<{ profileId: string; identityIds: string[]; messages: MessageDoc[] }>(`/v1/customers/${idOf(c)}/history`, { key });

      expect((await history(w)).identityIds).toEqual([idOf(w)]);
      const verify = await json<{ profileId: string; identities: { channel: string }[]; verifiedContacts: { kind: string; value: string }[] }>(
        `/v1/customers/${idOf(b)}/verified-contacts`, { method: 'POST', body: JSON.stringify({ kind: 'phone', value: '+55 (11) 98765-4321' }) },
      );
      expect(verify.identities.map((i) => i.channel).sort()).toEqual(['web', 'whatsapp']);
      expect(verify.verifiedContacts).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'phone', value: '+5511987654321' })]));

      const merged = await json<{ profileId: string; identities: unknown[]; links: { via: string }[] }>(`/v1/customers/${idOf(m)}/merge`, { method: 'POST', body: JSON.stringify({ customerId: idOf(w) }) });
      expect(merged.identities).toHaveLength(3);
      expect(merged.links.map((l) => l.via).sort()).toEqual(['merge', 'phone']);

      const all = await history(m);
      expect(all.identityIds).toEqual([idOf(w), idOf(m), idOf(b)].sort());
      const stored = await db.collection<MessageDoc>('messages').find({ conversationId: { $in: [w, m, b].map((c) => c.conversationId) } }).toArray();
      expect(all.messages.map((x) => x._id).sort()).toEqual(stored.map((x) => x._id).sort());
      expect(new Set(all.messages.map((x) => x.channel))).toEqual(new Set(['whatsapp', 'email', 'web']));
      const times = all.messages.map((x) => new Date(x.timestamp).getTime());
      expect(times).toEqual([...times].sort((a, c) => a - c));
      expect((await history(w)).profileId).toBe(all.profileId);

      // A supervisor makes the merged customer VIP once; every identity of the profile carries it.
      const tiered = await json<{ tier: unknown }>(`/v1/customers/${idOf(m)}/tier`, { method: 'PUT', body: JSON.stringify({ vip: true, priority: 5 }) });
      expect(tiered.tier).toEqual({ vip: true, priority: 5 });
      expect((await json<{ tier: unknown }>(`/v1/customers/${idOf(w)}`)).tier).toEqual({ vip: true, priority: 5 });
      expect(await db.collection('customer_tiers').countDocuments({ _id: { $in: [idOf(w), idOf(m), idOf(b)] } as never, vip: true })).toBe(3);
      const badTier = await call(`/v1/customers/${idOf(m)}/tier`, { method: 'PUT', body: JSON.stringify({ vip: true, priority: 101 }) });
      expect(badTier.status).toBe(400);
      expect(((await badTier.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['priority']);

      // The web identity's data-subject erasure takes it out of the profile; the others stay one customer.
      const erased = await json<{ related: { customerLinks: number; workflowRuns: number } }>(`/v1/customers/${idOf(b)}/personal-data`, { method: 'DELETE' });
      expect(erased.related.customerLinks).toBeGreaterThanOrEqual(1);
      const left = await history(m);
      expect(left.identityIds).toEqual([idOf(w), idOf(m)].sort());
      expect(left.messages.map((x) => x._id).sort()).toEqual(stored.filter((x) => x.conversationId !== b.conversationId).map((x) => x._id).sort());
    });

    it('keeps customers tenant-scoped and validates input', async () => {
      expect((await call(`/v1/customers/${idOf(wa())}/history`, { key: OTHER_KEY })).status).toBe(404);
      expect((await call(`/v1/customers/${idOf(wa())}/merge`, { key: OTHER_KEY, method: 'POST', body: JSON.stringify({ customerId: idOf(web()) }) })).status).toBe(404);
      const bad = await call(`/v1/customers/${idOf(web())}/verified-contacts`, { method: 'POST', body: JSON.stringify({ kind: 'phone', value: 'call me maybe' }) });
      expect(bad.status).toBe(400);
      expect((await call(`/v1/customers/${idOf(web())}/merge`, { method: 'POST', body: JSON.stringify({ customerId: idOf(web()) }) })).status).toBe(400);
    });
  });

  describe('conversation report', () => {
    it('aggregates what the suite did, per tenant, and is in the OpenAPI document', async () => {
      await sleep(200);
      const q = `from=${encodeURIComponent(started.toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;
      const report = await json<{
        conversations: number; truncated: boolean; containment: unknown; handoffReasons: { reason: string; count: number }[];
        firstResponse: { n: number }; resolution: { n: number }; csat: unknown; csatBy: Record<string, Record<string, unknown>>;
      }>(`/v1/reports/conversations?${q}`);
      const convs = await db.collection<ConversationDoc>('conversations').find({ tenantId: 'default' }).toArray();
      expect(report.conversations).toBe(convs.length);
      expect(report.truncated).toBe(false);
      expect(report.containment).toEqual({ contained: 1, resolved: 2, rate: 0.5 });
      expect(report.resolution.n).toBe(2);
      expect(report.handoffReasons).toEqual([
        { reason: 'human_only_intent', count: 1 }, { reason: 'unsatisfied_turns', count: 1 }, { reason: 'workflow_failed', count: 1 },
      ]);
      // Every conversation but the one that went straight to a person (the connector down) got a first reply.
      expect(report.firstResponse.n).toBe(convs.length - 1);
      expect(report.csat).toEqual({ n: 2, mean: 4.5, satisfiedRate: 1 });
      expect(report.csatBy.group).toEqual({ bot: { n: 1, mean: 5, satisfiedRate: 1 }, default: { n: 1, mean: 4, satisfiedRate: 1 } });
      expect(report.csatBy.channel).toMatchObject({ web: { n: 2 } });

      const email = await json<{ conversations: number }>(`/v1/reports/conversations?${q}&channel=email`);
      expect(email.conversations).toBe(3);
      expect(await json<{ conversations: number }>(`/v1/reports/conversations?${q}`, { key: OTHER_KEY })).toMatchObject({ conversations: 0 });
      const bad = await call('/v1/reports/conversations?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
      expect(bad.status).toBe(400);
      const doc = (await (await fetch(`${router.url}/docs-json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
        '/v1/reports/conversations', '/v1/experiments/{id}', '/v1/experiments/{id}/report', '/v1/conversations/{id}/workflows',
        '/v1/customers/{id}/history', '/v1/customers/{id}/merge', '/v1/customers/{id}/verified-contacts',
      ]));
    });
  });
});
