import { createConnection, Connection } from 'mongoose';
import { ConversationEvent, OutboundCommand, TOPICS, outboundTopic } from '@omni/contracts';
import type { AgentSlotDoc, ConversationDoc, OwnershipClaimDoc } from '@omni/persistence';
import { csatPrompt, csatThanks } from '@omni/routing';
import { KafkaHarness } from '../../apps/router/test/kafka-harness';
import { FakeCustomer } from '../../apps/router/test/events';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { KAFKA_BROKERS, mongoUri, uniqueName, waitFor } from '../support/env';

const KEY = 'live-test-admin-key-000000001';
const OUT = outboundTopic('web');

/** Reads a text/event-stream response into parsed `conversation` events. */
async function readSse(res: Response, into: ConversationEvent[]): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split('\n').find((l) => l.startsWith('data: '));
      if (frame.includes('event: conversation') && data) into.push(JSON.parse(data.slice(6)) as ConversationEvent);
    }
  }
}

/** Resolve → SSE event and CSAT prompt in the customer's language; a rating is recorded, other text reopens to the bot. */
describe('router live events and CSAT', () => {
  const name = uniqueName('router-live');
  const kafka = new KafkaHarness(KAFKA_BROKERS, `${name}.`);
  let router: RunningApp;
  let db: Connection;
  const bia = new FakeCustomer(kafka, 'bia', 'pt');

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
    const at = new Date();
    await db.collection('conversations').insertOne({
      _id: bia.conversationId, tenantId: 'default', region: 'local', channel: 'web', accountId: 'web-default', customerId: 'cu-bia', channelUserId: 'bia',
      language: 'pt', state: 'assigned', version: 1, agentId: 'ana', groupId: 'default', since: at, lastMessageAt: at, createdAt: at, updatedAt: at,
    } as never);
    await db.collection<OwnershipClaimDoc>('conversation_ownership').insertOne({
      _id: `${bia.conversationId}:1`, tenantId: 'default', conversationId: bia.conversationId, version: 1, state: 'assigned', since: at, agentId: 'ana', groupId: 'default', cause: 'seed', at,
    });
    await db.collection<AgentSlotDoc>('agent_slots').insertOne({ _id: 'ana:0', tenantId: 'default', agentId: 'ana', slot: 0, conversationId: bia.conversationId, since: at });
    router = await startApp('router', { ...stackEnv({ prefix: name, db: name }), API_KEY: KEY, ROUTER_DISPATCH_INTERVAL_MS: '0' });
    await kafka.start([OUT, TOPICS.aiRequest]);
  }, 90_000);

  afterAll(async () => {
    await kafka.stop();
    await router?.stop();
    await db?.close();
  });

  it('streams the resolution, asks for CSAT in Portuguese, records a rating and reopens on a new question', async () => {
    const abort = new AbortController();
    const sse = await fetch(`${router.url}/v1/events?conversationId=${bia.conversationId}`, { headers: { authorization: `Bearer ${KEY}` }, signal: abort.signal });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const events: ConversationEvent[] = [];
    void readSse(sse, events);
    expect((await fetch(`${router.url}/v1/events`)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));

    const resolved = await fetch(`${router.url}/v1/conversations/${bia.conversationId}/resolve`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    expect(resolved.status).toBe(201);
    await waitFor('resolved over SSE', async () => events.some((e) => e.kind === 'resolved'), 10_000);
    const prompt = await waitFor('CSAT prompt', async () => kafka.events<OutboundCommand>(OUT, (e) => e.data.message.text === csatPrompt('pt').text)[0], 10_000);
    expect(prompt.data.recipient.channelUserId).toBe('bia');
    await waitFor('prompt message over SSE', async () => events.some((e) => e.kind === 'message' && e.messageId === prompt.data.messageId), 10_000);

    const rating = await bia.say('5');
    await waitFor('thanks', async () => kafka.events<OutboundCommand>(OUT, (e) => e.data.replyToMessageId === rating && e.data.message.text === csatThanks('pt')).length === 1, 10_000);
    const conv = () => db.collection<ConversationDoc>('conversations').findOne({ _id: bia.conversationId });
    expect(await conv()).toMatchObject({ state: 'resolved', csat: { score: 5 } });
    expect(kafka.events(TOPICS.aiRequest, (e) => e.subject === bia.conversationId)).toHaveLength(0);

    const question = await bia.say('oi, tenho outra pergunta');
    await waitFor('AI asked again after reopening', async () => kafka.events<{ messageId: string }>(TOPICS.aiRequest, (e) => e.data.messageId === question).length === 1, 10_000);
    const latest = await db.collection<OwnershipClaimDoc>('conversation_ownership').find({ conversationId: bia.conversationId }).sort({ version: -1 }).limit(1).toArray();
    expect(latest[0]).toMatchObject({ version: 3, state: 'bot', cause: question });
    abort.abort();
  });
});
