import { createConnection, Connection } from 'mongoose';
import WebSocket from 'ws';
import type { ConversationDoc, MessageDoc, PrivacyRequestDoc } from '@omni/persistence';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';
import { WidgetFrame, openWidgetSocket } from '../support/web-chat';

const ADMIN_KEY = 'test-admin-key-of-default-tenant';
const DAY = 86_400_000;

async function welcome(url: string, token?: string): Promise<WidgetFrame & { ws: WebSocket }> {
  const v = await openWidgetSocket(url);
  v.ws.send(JSON.stringify({ type: 'hello', ...(token ? { token } : {}) }));
  for (;;) {
    const f = await v.next();
    if (f.type === 'welcome') return { ...f, ws: v.ws };
  }
}

/**
 * Erasure and retention reach every store (issue 15 #15, ADR 0501): the router and channel-web on the
 * real Kafka and FerretDB. A data-subject erasure deletes the visitor's channel-web session (the old
 * token no longer resumes) and its receipt lists each store; the router's retention pass erases quiet
 * customers the same way and redacts old messages, per the tenant's settings.
 */
describe('erasure and retention across the stores', () => {
  const name = uniqueName('retention');
  let router: RunningApp;
  let web: RunningApp;
  let db: Connection;

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
    const env = stackEnv({ prefix: name, db: name });
    [router, web] = await Promise.all([
      startApp('router', { ...env, API_KEY: ADMIN_KEY, ROUTER_DISPATCH_INTERVAL_MS: '0', RETENTION_PURGE_INTERVAL_MS: '500' }),
      startApp('channel-web', env),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([router?.stop(), web?.stop()]);
    await db?.close();
  });

  it('erases a web visitor from channel-web’s sessions too: the old token no longer resumes, and the receipt lists each store', async () => {
    const first = await welcome(web.url);
    first.ws.send(JSON.stringify({ type: 'message', clientMessageId: 'erase-me-01', text: 'hi, I am Marta' }));
    const conversation = await waitFor('the conversation stored', async () => db.collection<ConversationDoc>('conversations').findOne({ _id: first.conversationId }), 20_000);
    expect(await db.collection('web_sessions').countDocuments({ conversationId: first.conversationId })).toBe(1);
    first.ws.close();

    const res = await fetch(`${router.url}/v1/customers/${conversation.customerId}/personal-data`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    const receipt = (await res.json()) as PrivacyRequestDoc;
    const entry = (store: string) => receipt.stores?.find((s) => s.store === store);
    expect(entry('web_sessions')).toMatchObject({ action: 'deleted', count: 1 });
    expect(entry('messages')).toMatchObject({ action: 'redacted', count: 1 });
    expect(entry('kafka')).toMatchObject({ action: 'expires' });
    expect(new Date(entry('kafka')?.until ?? 0).getTime() - new Date(receipt.at).getTime()).toBe(14 * DAY);
    expect(receipt.stores?.map((s) => s.store)).toEqual(expect.arrayContaining(['customers', 'conversations', 'email_threads', 'sends', 'send_outcomes', 'media', 'verified_contacts', 'workflow_runs']));
    expect(await db.collection('web_sessions').countDocuments({ conversationId: first.conversationId })).toBe(0);

    // The erased visitor's token is dead: the widget gets a new session, never the erased conversation.
    const again = await welcome(web.url, first.token);
    expect(again.token).not.toBe(first.token);
    expect(again.conversationId).not.toBe(first.conversationId);
    again.ws.close();
  });

  it('erases customers quiet past the tenant’s retention and redacts old messages, leaving recent data alone', async () => {
    const now = Date.now();
    const ago = (days: number) => new Date(now - days * DAY);
    await db.collection('tenants').updateOne({ _id: 'default' as never }, { $set: { retention: { customersDays: 30, messagesDays: 10 } } }, { upsert: true });
    const customer = (id: string, days: number) => ({ _id: id, tenantId: 'default', channel: 'web', accountId: 'web-default', channelUserId: `u-${id}`, displayName: 'Quiet Quentin', createdAt: ago(days), lastSeenAt: ago(days) });
    const conv = (id: string, customerId: string, days: number) => ({ _id: id, tenantId: 'default', region: 'local', channel: 'web', accountId: 'web-default', customerId, channelUserId: `u-${customerId}`, state: 'resolved', version: 1, lastMessageAt: ago(days), createdAt: ago(days), updatedAt: ago(days) });
    const message = (id: string, conversationId: string, days: number) => ({
      _id: id, tenantId: 'default', conversationId, channel: 'web', accountId: 'web-default', channelMessageId: `ch-${id}`, direction: 'inbound', author: { kind: 'customer', name: 'Quentin' },
      type: 'text', text: `words of ${id}`, attachments: [], timestamp: ago(days), createdAt: ago(days), statusRank: 0, statusHistory: [],
    });
    await db.collection('customers').insertMany([customer('cu-quiet', 60), customer('cu-active', 60)] as never[]);
    await db.collection('conversations').insertMany([conv('c-quiet', 'cu-quiet', 45), conv('c-active', 'cu-active', 1)] as never[]);
    await db.collection('messages').insertMany([message('m-quiet', 'c-quiet', 45), message('m-active-old', 'c-active', 20), message('m-active-new', 'c-active', 1)] as never[]);

    const log = await waitFor('the retention pass erased the quiet customer', async () => db.collection<PrivacyRequestDoc>('privacy_requests').findOne({ requestedBy: 'retention' }), 30_000);
    expect(log.counts).toMatchObject({ customers: 1, conversations: 1, messages: 1 });
    expect(await db.collection('customers').countDocuments({ _id: 'cu-quiet' as never })).toBe(0);
    expect(await db.collection<ConversationDoc>('conversations').findOne({ _id: 'c-quiet' })).toMatchObject({ channelUserId: 'erased', customerId: log.subject });
    await waitFor('the old message redacted', async () => (await db.collection<MessageDoc>('messages').findOne({ _id: 'm-active-old' }))?.redactedAt !== undefined, 30_000);
    const messages = await db.collection<MessageDoc>('messages').find({ _id: { $in: ['m-quiet', 'm-active-old', 'm-active-new'] } }).sort({ _id: 1 }).toArray();
    expect(messages.map((m) => [m._id, m.text ?? null])).toEqual([['m-active-new', 'words of m-active-new'], ['m-active-old', null], ['m-quiet', null]]);
    expect(await db.collection('customers').countDocuments({ _id: 'cu-active' as never })).toBe(1);
  });
});
