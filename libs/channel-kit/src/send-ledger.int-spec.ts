import { Connection, createConnection } from 'mongoose';
import { SendConfirmationSchema, SendHoldSchema, SendLedger, SendOutcomeSchema, SendResendSchema, SendSchema } from './send-ledger';
import { mongoUri, uniqueName } from '../../../test/support/env';

/**
 * The ledger's records of a send whose outcome was unknown (issue 13), on the real store: the provider's
 * confirmation is written once whatever number of statuses name it, and of concurrent deliveries of the
 * same command (a rebalance) exactly one may resend it.
 */
describe('SendLedger reconcile records (real store)', () => {
  let db: Connection;
  let ledger: SendLedger;

  beforeAll(async () => {
    db = await createConnection(mongoUri(uniqueName('ledger'))).asPromise();
    ledger = new SendLedger(
      // What MongooseModule.forFeature makes of the schemas (its models' types differ only by the `id` virtual).
      db.model('Send', SendSchema) as never, db.model('SendOutcome', SendOutcomeSchema) as never,
      db.model('SendConfirmation', SendConfirmationSchema) as never, db.model('SendResend', SendResendSchema) as never,
      db.model('SendHold', SendHoldSchema) as never,
    );
  });
  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
  });

  it('keeps the first status naming a send as its confirmation, concurrent statuses included', async () => {
    await Promise.all([
      ledger.confirm('m-1', 'wamid.1', 'sent', 'whatsapp', 'pn'),
      ledger.confirm('m-1', 'wamid.1', 'delivered', 'whatsapp', 'pn'),
      ledger.confirm('m-1', 'wamid.1', 'read', 'whatsapp', 'pn'),
    ]);
    expect(await db.collection('send_confirmations').countDocuments({ _id: 'm-1' } as never)).toBe(1);
    expect(await ledger.confirmation('m-1')).toMatchObject({ providerMessageId: 'wamid.1', status: 'sent' });
    expect(await ledger.confirmation('m-2')).toBeNull();
  });

  it('tells a status webhook whether this process decided a send — waiting for an outcome being written, not for a released or never-decided claim', async () => {
    expect(await ledger.claim('d-1', 'whatsapp', 'pn')).toEqual({ kind: 'claimed' });
    // Meta's `sent` arrives while the channel still writes the outcome: the webhook waits for it.
    const asked = ledger.decidedHere('d-1', 2_000);
    await new Promise((r) => setTimeout(r, 20));
    await ledger.sent('d-1', 'wamid.d1', 'whatsapp', 'pn');
    expect(await asked).toBe(true);
    expect(await ledger.decidedHere('d-1')).toBe(true);
    // A claim released (the provider refused it for now): not decided, at once.
    await ledger.claim('d-2', 'whatsapp', 'pn');
    const released = ledger.decidedHere('d-2', 2_000);
    await ledger.release('d-2');
    expect(await released).toBe(false);
    // A claim whose outcome never comes (cut mid-request): not decided once the wait is over.
    await ledger.claim('d-3', 'whatsapp', 'pn');
    const started = Date.now();
    expect(await ledger.decidedHere('d-3', 50)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    // Not claimed here (another replica, or before a restart): not decided, no wait.
    expect(await ledger.decidedHere('d-elsewhere', 2_000)).toBe(false);
  });

  it('lets exactly one of concurrent deliveries resend; the others see it in doubt, then done once its outcome is in', async () => {
    const claims = await Promise.all(Array.from({ length: 6 }, () => ledger.claimResend('m-3', 'whatsapp', 'pn')));
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'in_doubt')).toHaveLength(5);
    await ledger.sent('m-3', 'wamid.3', 'whatsapp', 'pn', 'resent_after_unknown');
    expect(await ledger.claimResend('m-3', 'whatsapp', 'pn')).toMatchObject({ kind: 'done', doc: { state: 'sent', providerMessageId: 'wamid.3', via: 'resent_after_unknown' } });
    // A resend the provider refused retryably is freed for the retry topic's next attempt.
    expect((await ledger.claimResend('m-4', 'whatsapp', 'pn')).kind).toBe('claimed');
    await ledger.releaseResend('m-4');
    expect((await ledger.claimResend('m-4', 'whatsapp', 'pn')).kind).toBe('claimed');
  });

  it("finds a conversation's holds at or before an offset, once each however often a hold is written, and frees it on unhold (issue 13)", async () => {
    const base = { channel: 'whatsapp', accountId: 'pn' };
    await Promise.all([1, 2, 3].map(() => ledger.hold({ _id: 'h-10', conversationId: 'c-1', offset: 10, reason: 'reconcile', ...base })));
    await ledger.hold({ _id: 'h-12', conversationId: 'c-1', offset: 12, reason: 'behind', ...base });
    await ledger.hold({ _id: 'h-other', conversationId: 'c-2', offset: 5, reason: 'reconcile', ...base });
    const since = new Date(Date.now() - 60_000);
    expect((await ledger.holdsUpTo('c-1', 11, since)).map((h) => h._id)).toEqual(['h-10']);
    expect((await ledger.holdsUpTo('c-1', 12, since)).map((h) => h._id).sort()).toEqual(['h-10', 'h-12']);
    expect(await ledger.holdsUpTo('c-1', 9, since)).toEqual([]);
    expect(await ledger.holdsUpTo('c-1', 12, new Date(Date.now() + 1_000))).toEqual([]); // stale
    await ledger.unhold('h-10');
    await ledger.unhold('h-10');
    expect((await ledger.holdsUpTo('c-1', 12, since)).map((h) => h._id)).toEqual(['h-12']);
  });

  it('sees a hold another replica wrote once its index is read again (a join), and its own at once, without a query per send', async () => {
    const base = { channel: 'whatsapp', accountId: 'pn' };
    const other = new SendLedger(
      db.model('Send', SendSchema) as never, db.model('SendOutcome', SendOutcomeSchema) as never,
      db.model('SendConfirmation', SendConfirmationSchema) as never, db.model('SendResend', SendResendSchema) as never,
      db.model('SendHold', SendHoldSchema) as never,
    );
    const since = new Date(Date.now() - 60_000);
    expect(await ledger.holdsUpTo('c-9', 30, since)).toEqual([]);
    // The other replica held the conversation, then its partition moved here (a join).
    await other.hold({ _id: 'h-30', conversationId: 'c-9', offset: 30, reason: 'reconcile', ...base });
    ledger.forgetHolds();
    expect((await ledger.holdsUpTo('c-9', 31, since)).map((h) => h._id)).toEqual(['h-30']);
    // Its own hold counts at once, whatever its index read before the write said.
    expect(await ledger.holdsUpTo('c-10', 41, since)).toEqual([]);
    await ledger.hold({ _id: 'h-40', conversationId: 'c-10', offset: 40, reason: 'reconcile', ...base });
    expect((await ledger.holdsUpTo('c-10', 41, since)).map((h) => h._id)).toEqual(['h-40']);
    // A conversation without a hold is answered from the index: no query of the holds per send.
    const find = jest.spyOn(db.model('SendHold'), 'find');
    for (let i = 0; i < 20; i++) expect(await ledger.holdsUpTo(`c-free-${i}`, 50, since)).toEqual([]);
    expect(find.mock.calls.length).toBeLessThanOrEqual(1);
    find.mockRestore();
  });
});
