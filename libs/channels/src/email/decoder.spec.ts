import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { ValidationError, conversationId } from '@omni/contracts';
import { toNewEvents } from '../common/decode';
import { EmailDecodeContext, decodeEmail, emailAttachmentBlobs, senderThreadKey } from './decoder';
import { MailLike } from './mail';

const parse = (name: string): Promise<MailLike> => simpleParser(readFileSync(join(__dirname, '../../fixtures/email', name)));
const ctx: EmailDecodeContext = { tenantId: 't1', region: 'eu-1', mailbox: 'support@acme.test' };
const ROOT = 'CAF=root0001@mail.example.com';
const ANA = 'ana.souza@example.com';
/** A thread is one sender's (issue 15 #2). */
const thread = (root: string, sender = ANA) => conversationId('t1', 'email', 'support@acme.test', senderThreadKey(sender, root));

describe('decodeEmail', () => {
  it('decodes a new mail as the root of its own thread, signature stripped', async () => {
    const r = decodeEmail(await parse('new-thread.eml'), ctx);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({
      channel: 'email', accountId: 'support@acme.test', conversationId: thread(ROOT),
      customer: { channelUserId: 'ana.souza@example.com', displayName: 'Ana Souza', locale: 'pt-BR' },
      message: {
        channelMessageId: ROOT, type: 'text', timestamp: '2026-06-08T23:50:00.000Z',
        text: 'Olá,\n\nmy order 4521 arrived with a broken lid. Can you send a replacement?\n\nThanks,\nAna',
        meta: { subject: 'Order 4521 arrived damaged', quotedStripped: true, fullText: expect.stringContaining('Product Manager') },
      },
    });
  });

  it('threads a reply into the root conversation and strips the quoted history and mobile signature', async () => {
    const [m] = decodeEmail(await parse('reply-quoted.eml'), ctx).messages;
    expect(m.conversationId).toBe(thread(ROOT));
    expect(m.message).toMatchObject({ text: 'Yes, the address is the same as on the order.', replyToId: 'msg-7f3c1a@acme.test' });
    expect(m.message.meta?.fullText).toContain('> Hi Ana');
    expect(m.message.meta?.autoReply).toBeUndefined();
  });

  it('strips Outlook history and keeps attachments content-addressed', async () => {
    const mail = await parse('outlook-reply.eml');
    const [m] = decodeEmail(mail, ctx).messages;
    expect(m.conversationId).toBe(thread('AM0PR01MB0001ROOT@AM0PR01MB1234.eurprd01.prod.outlook.example', m.customer.channelUserId));
    expect(m.customer.displayName).toBe('Pereira, Joao');
    expect(m.message.text).toBe('Please find the signed form attached.\n\nBest regards\nJoao Pereira');
    expect(m.message.attachments).toEqual([{ kind: 'document', mime: 'application/pdf', size: 58, filename: 'signed-form.pdf', mediaId: expect.stringMatching(/^sha256:[a-f0-9]{64}$/), sha256: expect.stringMatching(/^[a-f0-9]{64}$/) }]);
    const [blob] = emailAttachmentBlobs(mail);
    expect(blob.mediaId).toBe(m.message.attachments[0].mediaId);
    expect(blob.content.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('flags auto-replies and bulk mail so they are never answered', async () => {
    const [ooo] = decodeEmail(await parse('auto-reply.eml'), ctx).messages;
    expect(ooo.message.meta).toMatchObject({ autoReply: true, autoReplyReason: 'Auto-Submitted: auto-replied' });
    expect(ooo.conversationId).toBe(thread(ROOT));
    const [bulk] = decodeEmail(await parse('bulk.eml'), ctx).messages;
    expect(bulk.message.meta).toMatchObject({ autoReply: true, autoReplyReason: 'Precedence: bulk' });
  });

  it('turns a DSN bounce into a failed status of our message, in the original thread', async () => {
    const r = decodeEmail(await parse('bounce-dsn.eml'), ctx);
    expect(r.messages).toEqual([]);
    expect(r.statuses).toEqual([expect.objectContaining({
      channel: 'email', conversationId: thread(ROOT), messageId: 'msg-7f3c1a', channelMessageId: 'msg-7f3c1a@acme.test', status: 'failed',
      error: { code: '5.1.1', reason: expect.stringMatching(/^ana\.souza@example\.com: 550 5\.1\.1 .*User unknown$/), retryable: false },
    })]);
  });

  it('keeps a thread to its sender: References naming another customer\'s thread start the writer\'s own (issue 15 #2)', async () => {
    const reply = await parse('reply-quoted.eml');
    const [own] = decodeEmail(reply, ctx).messages;
    const [other] = decodeEmail({ ...reply, from: { value: [{ address: 'mallory@evil.example', name: 'Ana Souza' }] } }, ctx).messages;
    expect(own.conversationId).toBe(thread(ROOT));
    expect(other.conversationId).not.toBe(own.conversationId);
    expect(other.conversationId).toBe(thread(ROOT, 'mallory@evil.example'));
  });

  it('never threads a mail that fails its domain\'s DMARC check, and carries the verdict for the router', async () => {
    const reply = await parse('reply-quoted.eml');
    const [failed] = decodeEmail(reply, { ...ctx, senderAuth: { verified: false, result: 'dmarc=fail' } }).messages;
    expect(failed.conversationId).toBe(thread(failed.message.channelMessageId));
    expect(failed.message.meta).toMatchObject({ senderVerified: false, senderAuth: 'dmarc=fail' });
    const [passed] = decodeEmail(reply, { ...ctx, senderAuth: { verified: true, result: 'dmarc=pass' } }).messages;
    expect(passed.conversationId).toBe(thread(ROOT));
    expect(passed.message.meta).toMatchObject({ senderVerified: true, senderAuth: 'dmarc=pass' });
    expect(decodeEmail(reply, ctx).messages[0].message.meta).toMatchObject({ senderVerified: false, senderAuth: 'unchecked' });
  });

  it('yields the same ids for the same mail delivered twice', async () => {
    const a = toNewEvents(decodeEmail(await parse('reply-quoted.eml'), ctx)).map((e) => e.id);
    const b = toNewEvents(decodeEmail(await parse('reply-quoted.eml'), ctx)).map((e) => e.id);
    expect(b).toEqual(a);
    const noId = { ...(await parse('bulk.eml')), messageId: undefined };
    expect(decodeEmail(noId, ctx).messages[0].message.channelMessageId).toBe(decodeEmail({ ...noId }, ctx).messages[0].message.channelMessageId);
  });

  it('ignores our own mail coming back and unknown mailboxes; rejects mails without a sender', async () => {
    const own = { ...(await parse('new-thread.eml')), from: { value: [{ address: 'Support@Acme.test', name: '' }] } };
    expect(decodeEmail(own, ctx).ignored[0].reason).toMatch(/loop/);
    expect(decodeEmail(await parse('new-thread.eml'), { ...ctx, resolveAccount: () => undefined }).ignored[0].reason).toMatch(/unknown mailbox/);
    const anonymous = { ...(await parse('new-thread.eml')), from: undefined };
    expect(() => decodeEmail(anonymous, ctx)).toThrow(ValidationError);
    expect(() => decodeEmail({} as MailLike, ctx)).toThrow(ValidationError);
  });
});
