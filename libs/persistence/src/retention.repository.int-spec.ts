import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { PersistenceModule } from './persistence.module';
import type { MessageDoc } from './schemas';
import { PRIVACY_REPOSITORY, PrivacyRepository } from './privacy.repository';
import { RETENTION_REPOSITORY, RetentionRepository } from './retention.repository';
import { CONVERSATION_REPOSITORY, ConversationRepository } from './ports';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/retention-${Date.now().toString(36)}`;
  return u.toString();
})();

const DAY = 86_400_000;
const now = new Date('2026-12-01T00:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const sha = (c: string) => c.repeat(64);

/** Retention and the erasure's reach into the channel apps' stores, on the real MongoDB-protocol server (FerretDB locally). */
describe('retention and erasure on a real database', () => {
  let app: INestApplicationContext;
  let db: Connection;
  let retention: RetentionRepository;
  let privacy: PrivacyRepository;

  const message = (id: string, conversationId: string, days: number, extra: Record<string, unknown> = {}) => ({
    _id: id, tenantId: 't1', conversationId, channel: 'web', accountId: 'a', channelMessageId: `ch-${id}`, direction: 'inbound', author: { kind: 'customer', id: 'cu-old', name: 'Olga' },
    type: 'text', text: `text of ${id}`, attachments: [], timestamp: ago(days), createdAt: ago(days), statusRank: 0, statusHistory: [], ...extra,
  });

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    db = app.get<Connection>(getConnectionToken());
    retention = app.get(RETENTION_REPOSITORY);
    privacy = app.get(PRIVACY_REPOSITORY);
  });

  afterAll(async () => {
    await db?.dropDatabase();
    await app?.close();
  });

  it('lists tenants with settings or data, finds quiet customers, redacts old messages and keeps newer ones', async () => {
    await db.collection('tenants').insertOne({ _id: 't1' as never, retention: { messagesDays: 30 }, createdAt: now, updatedAt: now });
    await db.collection('customers').insertMany([
      { _id: 'cu-old', tenantId: 't1', channel: 'web', accountId: 'a', channelUserId: 'u-old', createdAt: ago(900), lastSeenAt: ago(800) },
      { _id: 'cu-writes-in-old', tenantId: 't1', channel: 'web', accountId: 'a', channelUserId: 'u-2', createdAt: ago(900), lastSeenAt: ago(800) },
      { _id: 'cu-new', tenantId: 't1', channel: 'web', accountId: 'a', channelUserId: 'u-3', createdAt: ago(1), lastSeenAt: ago(1) },
      { _id: 'cu-t2', tenantId: 't2', channel: 'web', accountId: 'a', channelUserId: 'u-4', createdAt: ago(900), lastSeenAt: ago(800) },
    ] as never[]);
    const conv = (id: string, customerId: string, days: number) => ({ _id: id, tenantId: 't1', region: 'local', channel: 'web', accountId: 'a', customerId, channelUserId: 'u', state: 'resolved', version: 1, lastMessageAt: ago(days), createdAt: ago(900), updatedAt: ago(days) });
    await db.collection('conversations').insertMany([conv('c-old', 'cu-old', 800), conv('c-2', 'cu-writes-in-old', 3), conv('c-new', 'cu-new', 1)] as never[]);
    expect(await retention.tenants()).toEqual([{ tenantId: 't1', retention: { messagesDays: 30 } }, { tenantId: 't2' }]);
    expect(await retention.inactiveCustomers('t1', ago(730), 10)).toEqual(['cu-old']);

    await db.collection('messages').insertMany([
      message('m-old', 'c-2', 40, { ai: { intent: 'x' } }), message('m-new', 'c-2', 3),
      message('m-photo-old', 'c-2', 40, { attachments: [{ kind: 'image', storeId: sha('a') }, { kind: 'image', storeId: sha('b') }] }),
      message('m-photo-new', 'c-new', 1, { attachments: [{ kind: 'image', storeId: sha('b') }] }),
    ] as never[]);
    await db.collection('bot_turns').insertMany([{ _id: 'bt-old', tenantId: 't1', conversationId: 'c-2', at: ago(40) }, { _id: 'bt-new', tenantId: 't1', conversationId: 'c-2', at: ago(3) }] as never[]);
    await db.collection('workflow_runs').insertOne({ _id: 'wr-old', tenantId: 't1', conversationId: 'c-2', startedAt: ago(40) } as never);
    await db.collection('conversation_notes').insertMany([{ _id: 'n-old', tenantId: 't1', conversationId: 'c-2', at: ago(40) }, { _id: 'n-new', tenantId: 't1', conversationId: 'c-2', at: ago(3) }] as never[]);

    // A file of an old message goes unless a newer message uses the same bytes.
    const old = await retention.oldAttachments('t1', ago(30), 100);
    expect(old).toEqual({ messageIds: ['m-photo-old'], exclusive: [sha('a')], kept: [sha('b')] });
    expect(await retention.dropAttachments('t1', old.messageIds)).toBe(1);
    expect(await retention.oldAttachments('t1', ago(30), 100)).toEqual({ messageIds: [], exclusive: [], kept: [] });

    expect(await retention.expireMessages('t1', ago(30), 100)).toEqual({ messages: 2, botTurns: 1, workflowRuns: 1, notes: 1 });
    expect(await retention.expireMessages('t1', ago(30), 100)).toEqual({ messages: 0, botTurns: 0, workflowRuns: 0, notes: 0 });
    expect(await db.collection('conversation_notes').find({}).map((n) => n._id).toArray()).toEqual(['n-new']);
    const left = await db.collection<MessageDoc>('messages').find({}).sort({ _id: 1 }).toArray();
    expect(left.map((m) => [m._id, m.text ?? null, m.redactedAt !== undefined, m.author.name ?? null, m.channelMessageId])).toEqual([
      ['m-new', 'text of m-new', false, 'Olga', 'ch-m-new'],
      ['m-old', null, true, null, 'm-old'],
      ['m-photo-new', 'text of m-photo-new', false, 'Olga', 'ch-m-photo-new'],
      ['m-photo-old', null, true, null, 'm-photo-old'],
    ]);
    expect(left.find((m) => m._id === 'm-old')?.ai).toBeUndefined();
    expect(await db.collection('bot_turns').distinct('_id')).toEqual(['bt-new']);
  });

  it('trims the prediction log and the channel apps’ untenanted stores by age', async () => {
    await db.collection('nlu_predictions').insertMany([
      { _id: 'p-old', tenantId: 't1', conversationId: 'c', at: ago(200) }, { _id: 'p-new', tenantId: 't1', conversationId: 'c', at: ago(2) }, { _id: 'p-t2', tenantId: 't2', conversationId: 'c', at: ago(200) },
    ] as never[]);
    expect(await retention.deletePredictions('t1', ago(180))).toBe(1);
    await db.collection('email_threads').insertMany([{ _id: 'e-old', conversationId: 'c', receivedAt: ago(400) }, { _id: 'e-new', conversationId: 'c', receivedAt: ago(1) }] as never[]);
    await db.collection('web_sessions').insertMany([{ _id: 'w-old', conversationId: 'c', createdAt: ago(100) }, { _id: 'w-new', conversationId: 'c', createdAt: ago(1) }] as never[]);
    await db.collection('sends').insertMany([{ _id: 's-old', claimedAt: ago(40) }, { _id: 's-new', claimedAt: ago(1) }] as never[]);
    await db.collection('send_outcomes').insertMany([{ _id: 's-old', doneAt: ago(40) }, { _id: 's-new', doneAt: ago(1) }] as never[]);
    await db.collection('send_confirmations').insertMany([{ _id: 's-old', at: ago(40) }, { _id: 's-new', at: ago(1) }] as never[]);
    await db.collection('send_resends').insertMany([{ _id: 's-old', claimedAt: ago(40) }, { _id: 's-new', claimedAt: ago(1) }] as never[]);
    await db.collection('send_holds').insertMany([{ _id: 's-old', conversationId: 'c', at: ago(40) }, { _id: 's-new', conversationId: 'c', at: ago(1) }] as never[]);
    expect(await retention.purgeChannelStores({ emailThreads: ago(365), webSessions: ago(90), sendLedger: ago(30) })).toEqual({ emailThreads: 1, webSessions: 1, sends: 1, sendOutcomes: 1, sendConfirmations: 1, sendResends: 1, sendHolds: 1 });
    for (const c of ['email_threads', 'web_sessions', 'sends', 'send_outcomes', 'send_confirmations', 'send_resends', 'send_holds', 'nlu_predictions']) {
      expect((await db.collection(c).find({}).toArray()).every((d) => !String(d._id).endsWith('-old'))).toBe(true);
    }
  });

  it('erases a customer from the channel apps’ stores too, keeping the send claims without what identifies them, and lists every store', async () => {
    await db.collection('customers').insertOne({ _id: 'cu-mail', tenantId: 't1', channel: 'email', accountId: 'a', channelUserId: 'rui@example.com', createdAt: ago(2), lastSeenAt: ago(2) } as never);
    await db.collection('conversations').insertOne({ _id: 'c-mail', tenantId: 't1', region: 'local', channel: 'email', accountId: 'a', customerId: 'cu-mail', channelUserId: 'rui@example.com', state: 'bot', version: 0, lastMessageAt: ago(1), createdAt: ago(2), updatedAt: ago(1) } as never);
    await db.collection('messages').insertMany([message('mail-in', 'c-mail', 2), message('mail-out', 'c-mail', 1, { direction: 'outbound', author: { kind: 'bot' } })] as never[]);
    await db.collection('email_threads').insertOne({ _id: 'mail-in', conversationId: 'c-mail', messageId: 'rui-1@example.com', references: [], subject: 'Rui’s order', receivedAt: ago(2) } as never);
    await db.collection('web_sessions').insertOne({ _id: 'hash-of-token', sessionId: 's', conversationId: 'c-mail', createdAt: ago(2) } as never);
    await db.collection('conversation_notes').insertOne({ _id: 'n-mail', tenantId: 't1', conversationId: 'c-mail', author: { id: 'p_ana', name: 'Ana' }, text: 'Rui is moving house', at: ago(1) } as never);
    await db.collection('sends').insertOne({ _id: 'mail-out', channel: 'email', accountId: 'a', state: 'sending', claimedAt: ago(1) } as never);
    await db.collection('send_outcomes').insertOne({ _id: 'mail-out', channel: 'email', accountId: 'a', state: 'failed', providerMessageId: '<mail-out@omni>', doneAt: ago(1), error: { code: '5.1.1', reason: 'rui@example.com: no such user' } } as never);
    // (A WhatsApp send's provider confirmation, issue 13: the wamid encodes the phone number.)
    await db.collection('send_confirmations').insertOne({ _id: 'mail-out', channel: 'whatsapp', accountId: 'a', providerMessageId: 'wamid.HBgM351910000001', status: 'sent', at: ago(1) } as never);

    const receipt = await privacy.erase('t1', 'cu-mail', 'admin', now, { deleted: 0, shared: 0 });
    const entry = (store: string) => receipt?.stores?.find((s) => s.store === store);
    expect([entry('email_threads'), entry('web_sessions'), entry('sends'), entry('send_outcomes'), entry('send_confirmations')]).toEqual([
      expect.objectContaining({ action: 'deleted', count: 1 }), expect.objectContaining({ action: 'deleted', count: 1 }),
      expect.objectContaining({ action: 'redacted', count: 1 }), expect.objectContaining({ action: 'redacted', count: 1 }),
      expect.objectContaining({ action: 'redacted', count: 1 }),
    ]);
    expect(await db.collection('send_confirmations').findOne({ _id: 'mail-out' as never })).toEqual({ _id: 'mail-out', channel: 'whatsapp', accountId: 'a', status: 'sent', at: ago(1) });
    expect(entry('kafka')).toMatchObject({ action: 'expires', until: new Date(now.getTime() + 14 * DAY) });
    expect(entry('conversation_notes')).toMatchObject({ action: 'deleted', count: 1 });
    expect(await db.collection('conversation_notes').countDocuments({ conversationId: 'c-mail' })).toBe(0);
    expect(receipt?.stores?.map((s) => s.store)).toEqual(expect.arrayContaining(['customers', 'conversations', 'messages', 'bot_turns', 'verified_contacts', 'customer_links', 'workflow_runs', 'media', 'nlu_datasets']));
    expect(await db.collection('email_threads').countDocuments({ conversationId: 'c-mail' })).toBe(0);
    expect(await db.collection('web_sessions').countDocuments({ conversationId: 'c-mail' })).toBe(0);
    // The claim stays (a redelivered command must not go out twice), without the provider's id or the bounce text.
    expect(await db.collection('send_outcomes').findOne({ _id: 'mail-out' as never })).toEqual({ _id: 'mail-out', channel: 'email', accountId: 'a', state: 'failed', doneAt: ago(1), error: { code: '5.1.1' } });
    expect(await db.collection('sends').countDocuments({ _id: 'mail-out' as never })).toBe(1);
    const stored = await db.collection('privacy_requests').findOne({ _id: receipt?._id as never });
    expect(stored?.stores).toHaveLength(receipt?.stores?.length ?? -1);
    expect(JSON.stringify(stored)).not.toContain('rui');

    // A mail Rui wrote before the erasure, delivered again from Kafka, restores nothing; one written after it does.
    const conversations = app.get<ConversationRepository>(CONVERSATION_REPOSITORY);
    const open = { _id: 'c-mail', tenantId: 't1', region: 'local', channel: 'email', accountId: 'a', customerId: 'cu-mail', channelUserId: 'rui@example.com' };
    expect(await conversations.openOrTouch(open, ago(1), true)).toMatchObject({ created: false, erased: true, conversation: { channelUserId: 'erased' } });
    expect(await db.collection('conversations').findOne({ _id: 'c-mail' as never })).toMatchObject({ channelUserId: 'erased', customerId: receipt?.subject });
    const before = (await conversations.get('c-mail'))?.turnsEpoch ?? 0;
    // Restored, it counts a change of its bot turns: a reply step's copy of the erased turns is not used again.
    expect(await conversations.openOrTouch(open, new Date(now.getTime() + 1_000), true)).toMatchObject({
      created: false, restored: true, conversation: { channelUserId: 'rui@example.com', turnsEpoch: before + 1 },
    });
    await conversations.turnsChanged('c-mail');
    expect((await conversations.get('c-mail'))?.turnsEpoch).toBe(before + 2);
  });
});
