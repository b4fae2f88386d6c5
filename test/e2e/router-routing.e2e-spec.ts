import { createConnection, Connection } from 'mongoose';
import { ConversationEvent, OutboundCommand, TOPICS, outboundTopic } from '@omni/contracts';
import { customerKey, type AgentDoc, type AgentSlotDoc, type ConversationDoc, type CustomerTierDoc, type OwnershipClaimDoc, type SkillGroupDoc } from '@omni/persistence';
import { KafkaHarness } from '../../apps/router/test/kafka-harness';
import { FakeCustomer, TENANT } from '../../apps/router/test/events';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';

const CONVERSATIONS = 500;
const AGENTS = 20;
const MAX_CONCURRENT = 5;
const OUT = outboundTopic('web');

function agent(id: string, tenantId: string, groupIds: string[], presence: AgentDoc['presence'], maxConcurrent: number): AgentDoc {
  const now = new Date();
  return { _id: id, tenantId, name: id.toUpperCase(), groupIds, languages: [], maxConcurrent, presence, createdAt: now, updatedAt: now };
}

function group(tenantId: string, order: number, config: { id: string } & Record<string, unknown>): SkillGroupDoc {
  return { _id: `${tenantId}:${config.id}`, tenantId, groupId: config.id, order, config, updatedAt: new Date() };
}

/** Queued conversations of the default tenant as a handoff leaves them: the copy and the ownership entry v1. */
async function seedQueued(db: Connection, n: number): Promise<void> {
  const t0 = Date.now() - 60_000;
  const rows = Array.from({ length: n }, (_, i) => {
    const at = new Date(t0 + i * 10);
    const queue = { vip: false, priority: 0, firstQueuedAt: at };
    return {
      conversation: {
        _id: `seed-${i}`, tenantId: TENANT, region: 'local', channel: 'web', accountId: 'web-default', customerId: `cu-${i}`, channelUserId: `u-${i}`,
        language: 'en', state: 'queued', version: 1, since: at, groupId: 'support', firstQueuedAt: at, queueReason: 'customer_requested', queue,
        lastMessageAt: at, createdAt: at, updatedAt: at,
      },
      claim: {
        _id: `seed-${i}:1`, tenantId: TENANT, conversationId: `seed-${i}`, version: 1, state: 'queued' as const, since: at, groupId: 'support',
        firstQueuedAt: at, queueReason: 'customer_requested', queue, cause: 'seed', at,
      },
    };
  });
  await db.collection('conversations').insertMany(rows.map((r) => r.conversation as never));
  await db.collection<OwnershipClaimDoc>('conversation_ownership').insertMany(rows.map((r) => r.claim));
}

/**
 * Two built router processes on the same topics and database: 500 waiting conversations, 20 agents
 * coming online at once, both routers' dispatchers racing to assign them. Then SLA overflow and
 * business hours through the real handoff path.
 */
describe('routing with two router processes', () => {
  const name = uniqueName('router-routing');
  const kafka = new KafkaHarness(KAFKA_BROKERS, `${name}.`);
  const routers: RunningApp[] = [];
  let db: Connection;
  const claims = () => db.collection<OwnershipClaimDoc>('conversation_ownership');
  const slots = () => db.collection<AgentSlotDoc>('agent_slots');

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
    await db.collection<SkillGroupDoc>('skill_groups').insertMany([
      group(TENANT, 0, { id: 'support' }),
      group('acme', 0, { id: 'tier1', intents: ['billing'], slaSeconds: 1, fallbackGroupId: 'tier2' }),
      group('acme', 1, { id: 'tier2' }),
      // Open only on Sundays, Bangkok time, and today (Bangkok's date) is a holiday: closed now whatever the day.
      group('acme', 3, { id: 'care', intents: ['care'] }),
      group('acme', 4, { id: 'vipq', intents: ['vipstuff'] }),
      group('acme', 2, {
        id: 'night', intents: ['returns'],
        hours: { timeZone: 'Asia/Bangkok', weekly: [{ day: 'sun', open: '09:00', close: '17:00' }], holidays: [new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok' }).format(new Date())] },
      }),
    ]);
    await db.collection<AgentDoc>('agents').insertMany([
      ...Array.from({ length: AGENTS }, (_, i) => agent(`a${i}`, TENANT, ['support'], 'offline', MAX_CONCURRENT)),
      agent('ola', 'acme', ['tier2'], 'online', 2),
      agent('kim', 'acme', ['care'], 'online', 3),
      agent('lee', 'acme', ['care'], 'online', 3),
      agent('max', 'acme', ['vipq'], 'offline', 1),
    ]);
    await db.collection('tenants').insertOne({
      _id: 'acme' as never, handoffPolicy: { humanOnlyIntents: [{ intent: 'billing' }, { intent: 'returns' }, { intent: 'care' }, { intent: 'vipstuff' }] }, createdAt: new Date(), updatedAt: new Date(),
    });
    const env = { ...stackEnv({ prefix: name, db: name }), ROUTER_DISPATCH_INTERVAL_MS: '1000', KAFKA_PARTITIONS: '6' };
    routers.push(...(await Promise.all([1, 2].map((i) => startApp('router', { ...env, INSTANCE_ID: `router-${i}` })))));
    await kafka.start([OUT, TOPICS.conversation]);
  }, 120_000);

  afterAll(async () => {
    if (process.env.DUMP_LOGS) for (const r of routers) console.log(r.logs.join('').split('\n').filter((l) => !l.includes('kafkajs')).join('\n').slice(-6000));
    await kafka.stop();
    await Promise.all(routers.map((r) => r.stop()));
    await db?.close();
  });

  it('never assigns a conversation twice nor exceeds an agent’s capacity', async () => {
    // 500 conversations already handed off (the handoff itself has its own suite): both routers'
    // dispatchers race on them the moment the agents come online.
    await seedQueued(db, CONVERSATIONS);
    await db.collection<AgentDoc>('agents').updateMany({ tenantId: TENANT }, { $set: { presence: 'online' } });
    const capacity = AGENTS * MAX_CONCURRENT;
    let samples = 0;
    let maxSeen = 0;
    await waitFor('every slot filled', async () => {
      const perAgent = await slots().aggregate<{ _id: string; n: number }>([{ $match: { tenantId: TENANT } }, { $group: { _id: '$agentId', n: { $sum: 1 } } }]).toArray();
      samples++;
      maxSeen = Math.max(maxSeen, ...perAgent.map((a) => a.n));
      expect(perAgent.every((a) => a.n <= MAX_CONCURRENT)).toBe(true);
      return (await claims().countDocuments({ state: 'assigned' })) >= capacity;
    }, 90_000, 100);
    // Let both dispatchers run a few more passes over the remaining 400 waiting conversations.
    await new Promise((r) => setTimeout(r, 1_500));

    const assigned = await claims().find({ state: 'assigned' }).toArray();
    const held = await slots().find({ tenantId: TENANT }).toArray();
    expect(assigned).toHaveLength(capacity);
    expect(new Set(assigned.map((a) => a.conversationId)).size).toBe(capacity);
    expect(held).toHaveLength(capacity);
    // Each slot belongs to exactly the agent its conversation is assigned to: no leaked reservation.
    const owner = new Map(assigned.map((a) => [a.conversationId, a.agentId]));
    expect(held.every((s) => owner.get(s.conversationId) === s.agentId)).toBe(true);
    const perAgent = new Map<string, number>();
    for (const a of assigned) perAgent.set(a.agentId ?? '', (perAgent.get(a.agentId ?? '') ?? 0) + 1);
    expect([...perAgent.values()].every((n) => n === MAX_CONCURRENT)).toBe(true);
    expect(maxSeen).toBeLessThanOrEqual(MAX_CONCURRENT);
    expect(samples).toBeGreaterThan(1);
    // Both processes may emit the same assignment (same deterministic id); never two agents for one conversation.
    const events = kafka.events<ConversationEvent>(TOPICS.conversation, (e) => e.data.kind === 'assigned');
    expect(new Set(events.map((e) => e.id)).size).toBe(capacity);
    const stillQueued = await db.collection('conversations').countDocuments({ tenantId: TENANT, state: 'queued' });
    expect(stillQueued).toBe(CONVERSATIONS - capacity);
  }, 420_000);

  it('overflows to the fallback group after the SLA and assigns there', async () => {
    const bea = new FakeCustomer(kafka, 'bea', 'pt', 'acme');
    const id = await bea.say('minha fatura veio errada');
    await waitFor('stored', async () => (await db.collection('messages').findOne({ _id: id as never })) !== null, 15_000);
    await bea.understood(id, { intent: { name: 'billing', confidence: 0.9 }, answer: { text: 'Posso ajudar com a fatura.' } });
    const done = await waitFor('assigned in tier2', async () => claims().findOne({ conversationId: bea.conversationId, state: 'assigned' }), 20_000, 200);
    // With a free agent in the fallback, the overflow and the assignment are one decision (one version).
    expect(done).toMatchObject({ agentId: 'ola', groupId: 'tier2', version: 2 });
    const history = await claims().find({ conversationId: bea.conversationId }).sort({ version: 1 }).toArray();
    expect(history.map((h) => [h.state, h.groupId])).toEqual([['queued', 'tier1'], ['assigned', 'tier2']]);
    expect(history[1]?.routing?.why.join(' ')).toMatch(/SLA 1s in tier1; overflow to tier2/);
    expect(history[1].since.getTime() - history[0].since.getTime()).toBeGreaterThanOrEqual(1_000);
    const joined = kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === bea.conversationId && e.data.message.text === 'OLA, da nossa equipe, entrou na conversa.');
    await waitFor('agent joined notice', async () => joined.length > 0 || kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === bea.conversationId && e.data.message.text === 'OLA, da nossa equipe, entrou na conversa.').length > 0, 10_000);
  });

  it('keeps a conversation waiting out of hours and tells the customer when the group opens, in its time zone', async () => {
    const rui = new FakeCustomer(kafka, 'rui', 'es', 'acme');
    const id = await rui.say('quiero devolver un producto');
    await waitFor('stored', async () => (await db.collection('messages').findOne({ _id: id as never })) !== null, 15_000);
    await rui.understood(id, { intent: { name: 'returns', confidence: 0.9 } });
    const notice = await waitFor('out-of-hours notice', async () =>
      kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === rui.conversationId && /volvemos el/.test(e.data.message.text ?? ''))[0], 15_000);
    // Sunday 09:00 in Bangkok, shown with the zone's name.
    expect(notice.data.message.text).toMatch(/domingo.*9:00|domingo.*09:00/);
    expect(notice.data.message.text).toMatch(/GMT\+7|ICT/);
    await new Promise((r) => setTimeout(r, 1_000));
    const latest = await claims().find({ conversationId: rui.conversationId }).sort({ version: -1 }).limit(1).toArray();
    expect(latest[0]).toMatchObject({ state: 'queued', groupId: 'night' });
    // One notice per ownership version, however many dispatcher passes saw it closed.
    expect(kafka.events<OutboundCommand>(OUT, (e) => e.data.conversationId === rui.conversationId && /volvemos el/.test(e.data.message.text ?? ''))).toHaveLength(1);
  });

  it('routes a returning customer to the agent who served them, and serves a VIP before those who waited longer', async () => {
    // Yesterday lee served dan in another conversation (its ownership log says so); lee is busier than kim now.
    const yesterday = new Date(Date.now() - 86_400_000);
    const danId = customerKey('acme', 'web', 'web-default', 'dan');
    await db.collection('conversations').insertOne({
      _id: 'old-dan', tenantId: 'acme', region: 'local', channel: 'web', accountId: 'web-default', customerId: danId, channelUserId: 'dan', language: 'en',
      state: 'resolved', version: 3, agentId: 'lee', resolvedBy: 'agent', since: yesterday, lastMessageAt: yesterday, createdAt: yesterday, updatedAt: yesterday,
    } as never);
    await claims().insertOne({ _id: 'old-dan:2', tenantId: 'acme', conversationId: 'old-dan', version: 2, state: 'assigned', agentId: 'lee', groupId: 'care', since: yesterday, cause: 'seed', at: yesterday } as never);
    await slots().insertOne({ _id: 'lee:2', tenantId: 'acme', agentId: 'lee', slot: 2, conversationId: 'busy', since: yesterday });

    const dan = new FakeCustomer(kafka, 'dan', 'en', 'acme');
    const id = await dan.say('I need a person about my contract');
    await waitFor('stored', async () => (await db.collection('messages').findOne({ _id: id as never })) !== null, 15_000);
    await dan.understood(id, { intent: { name: 'care', confidence: 0.9 } });
    const done = await waitFor('dan assigned', async () => claims().findOne({ conversationId: dan.conversationId, state: 'assigned' }), 20_000, 200);
    expect(done).toMatchObject({ agentId: 'lee', groupId: 'care' });
    expect(done?.routing?.why.join(' ')).toMatch(/sticky: last agent lee/);
    const queuedEntry = await claims().findOne({ conversationId: dan.conversationId, state: 'queued' });
    expect(queuedEntry?.queue).toMatchObject({ vip: false, priority: 0, lastAgentId: 'lee' });

    // max is offline: fay waits first, then gus, a VIP. max comes online with room for one.
    const fay = new FakeCustomer(kafka, 'fay', 'en', 'acme');
    const gus = new FakeCustomer(kafka, 'gus', 'en', 'acme');
    await db.collection<CustomerTierDoc>('customer_tiers').insertOne({ _id: customerKey('acme', 'web', 'web-default', 'gus'), tenantId: 'acme', vip: true, priority: 0, by: 'test', at: new Date() });
    for (const who of [fay, gus]) {
      const m = await who.say('a special request');
      await waitFor('stored', async () => (await db.collection('messages').findOne({ _id: m as never })) !== null, 15_000);
      await who.understood(m, { intent: { name: 'vipstuff', confidence: 0.9 } });
      await waitFor('queued', async () => claims().findOne({ conversationId: who.conversationId, state: 'queued' }), 20_000, 200);
    }
    // The dispatcher serves from the conversations' queue copies, written right after the log entries
    // waited for above: both must be there, gus's as a VIP, before max comes online (else a pass may
    // see fay alone and give her max — what the suite once did under load).
    await waitFor('both in the queue copies, gus as a VIP', async () => {
      const [f, g] = await Promise.all([fay, gus].map((w) => db.collection<ConversationDoc>('conversations').findOne({ _id: w.conversationId })));
      return f?.state === 'queued' && g?.state === 'queued' && g.queue?.vip === true;
    }, 20_000, 200);
    await db.collection<AgentDoc>('agents').updateOne({ _id: 'max' }, { $set: { presence: 'online' } });
    const vip = await waitFor('gus assigned', async () => claims().findOne({ conversationId: gus.conversationId, state: 'assigned' }), 20_000, 200);
    expect(vip).toMatchObject({ agentId: 'max' });
    // Let the dispatchers pass again: max is full, fay keeps waiting.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await claims().findOne({ conversationId: fay.conversationId, state: 'assigned' })).toBeNull();
  });
});
