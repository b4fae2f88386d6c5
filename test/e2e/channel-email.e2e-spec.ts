import { Connection, createConnection } from 'mongoose';
import { createTransport } from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { freeImapServer } from '../../apps/channel-email/src/inbound/testing/imap-server';
import { AppName, RunningApp, freePort, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';
import { startSmtpSink } from '../support/smtp-sink';

const BOX = 'support@acme.test';
const REPLY = 'Hi! 👋 How can I help you today? I can check an order, delivery times, payments and returns.';

let seq = 0;
const newCustomer = () => `customer-${Date.now().toString(36)}-${seq++}@example.com`;

/** channel-email with the built router and ai-worker on the real Kafka and FerretDB; mail in over SMTP, replies to a local sink. */
describe('channel-email through the whole pipeline', () => {
  const name = uniqueName('em');
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let imap: Awaited<ReturnType<typeof freeImapServer>>;
  let apps: RunningApp[] = [];
  let smtpPort: number;
  let db: Connection;

  const send = (mail: Record<string, unknown>, envelopeFrom?: string) =>
    createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true })
      .sendMail({ to: BOX, ...mail, ...(envelopeFrom !== undefined ? { envelope: { from: envelopeFrom, to: BOX } } : {}) });
  const messages = () => db.collection('messages');
  const inbound = (messageId: string) => messages().findOne({ channelMessageId: messageId, direction: 'inbound' });
  const replyIn = (conversationId: unknown, status?: string) => messages().findOne({ conversationId, direction: 'outbound', ...(status ? { status } : {}) });

  beforeAll(async () => {
    sink = await startSmtpSink();
    imap = await freeImapServer();
    smtpPort = await freePort();
    const env = stackEnv({ prefix: name, db: name });
    const [router, ai] = await Promise.all([startApp('router', { ...env, INSTANCE_ID: 'router-1' }), startApp('ai-worker', env)]);
    const email = await startApp('channel-email' as AppName, {
      ...env, EMAIL_ADDRESS: BOX, EMAIL_SMTP_PORT: String(smtpPort), EMAIL_SMTP_HOST: '127.0.0.1', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), SMTP_SECURE: 'false',
      EMAIL_IMAP_HOST: '127.0.0.1', EMAIL_IMAP_PORT: String(imap.port), EMAIL_IMAP_SECURE: 'false', EMAIL_IMAP_USER: 'testuser', EMAIL_IMAP_PASS: 'testpass',
    });
    apps = [router, ai, email];
    db = await createConnection(mongoUri(name)).asPromise();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await db?.close();
    await sink?.close();
    await imap?.close();
  });

  it('answers a mail in its thread, and keeps the thread when the customer answers the reply', async () => {
    const from = newCustomer();
    const first = `<first-${seq}@example.com>`;
    const accepted = await send({ from: `Ana Souza <${from}>`, subject: 'Order 4521', text: 'hello', messageId: first });
    expect(accepted.response).toMatch(/^250/);

    const reply = await waitFor('the reply at the relay', async () => sink.to(from)[0]?.parsed, 20_000);
    expect(reply.text?.trim()).toBe(REPLY);
    expect(reply.subject).toBe('Re: Order 4521');
    expect(reply.inReplyTo).toBe(first);
    expect(reply.references).toBe(first);
    expect(reply.headers.get('auto-submitted')).toBe('auto-replied');
    const ours = reply.messageId as string;
    expect(ours).toMatch(/@acme\.test>$/);
    const stored = await waitFor('the mail stored', async () => inbound(first.slice(1, -1)), 10_000);
    const sent = await waitFor('reply stored as sent', async () => replyIn(stored.conversationId, 'sent'), 10_000);
    expect(sent.providerMessageId).toBe(ours.slice(1, -1));

    // The customer's client quotes our reply and threads on it (References: root, ours).
    const second = `<second-${seq}@example.com>`;
    await send({ from, subject: 'Re: Order 4521', text: `hello\n\nOn Mon, Support <${BOX}> wrote:\n> ${REPLY}`, messageId: second, inReplyTo: ours, references: [first, ours] });
    const again = await waitFor('the second reply', async () => sink.to(from)[1]?.parsed, 20_000);
    const storedSecond = await waitFor('the second mail stored', async () => inbound(second.slice(1, -1)), 10_000);
    expect(storedSecond.conversationId).toBe(stored.conversationId);
    expect(storedSecond.text).toBe('hello');
    expect(again.inReplyTo).toBe(second);
    expect(again.references).toEqual([first, ours, second]);
  });

  it('stores a mail delivered three times once and replies once', async () => {
    const from = newCustomer();
    const mail = { from, subject: 'Hi', text: 'hello', messageId: `<dup-${seq}@example.com>` };
    for (let i = 0; i < 3; i++) expect((await send(mail)).response).toMatch(/^250/);
    await waitFor('the reply', async () => sink.to(from).length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 1_500)); // let a duplicate surface before counting
    expect(await messages().countDocuments({ channelMessageId: mail.messageId.slice(1, -1) })).toBe(1);
    expect(sink.to(from)).toHaveLength(1);
  });

  it('stores an out-of-office but never answers it: the bot reply is failed, not mailed', async () => {
    const from = newCustomer();
    const id = `<oof-${seq}@example.com>`;
    await send({ from, subject: 'Automatic reply: Order', text: 'hello', messageId: id, headers: { 'Auto-Submitted': 'auto-replied' } });
    const stored = await waitFor('the mail stored', async () => inbound(id.slice(1, -1)), 15_000);
    const refused = await waitFor('the reply refused', async () => replyIn(stored.conversationId, 'failed'), 15_000);
    expect(refused.statusHistory).toEqual([expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'auto_reply_not_answered' }) })]);
    expect(sink.to(from)).toHaveLength(0);
  });

  it('turns a bounce of our reply into a failed status of the stored reply', async () => {
    const from = newCustomer();
    const id = `<bounce-me-${seq}@example.com>`;
    await send({ from, subject: 'Order', text: 'hello', messageId: id });
    const reply = await waitFor('the reply', async () => sink.to(from)[0]?.parsed, 20_000);
    const stored = await waitFor('the mail stored', async () => inbound(id.slice(1, -1)), 10_000);
    await waitFor('reply stored as sent', async () => replyIn(stored.conversationId, 'sent'), 10_000);
    const dsn = [
      'This is a MIME-encapsulated message.', '', '--B1', 'Content-Type: text/plain', '', 'Your message could not be delivered.', '',
      '--B1', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.com', '',
      `Final-Recipient: rfc822; ${from}`, 'Action: failed', 'Status: 5.1.1', `Diagnostic-Code: smtp; 550 5.1.1 <${from}>: User unknown`, '',
      '--B1', 'Content-Type: text/rfc822-headers', '', `Message-ID: ${reply.messageId}`, `In-Reply-To: ${id}`, `References: ${id}`, `To: ${from}`, '', '--B1--', '',
    ].join('\r\n');
    await createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true }).sendMail({
      envelope: { from: '', to: BOX },
      raw: [`From: Mail Delivery System <MAILER-DAEMON@mx.example.com>`, `To: ${BOX}`, 'Subject: Undelivered Mail Returned to Sender',
        `Message-ID: <dsn-${seq}@mx.example.com>`, 'Auto-Submitted: auto-replied', 'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"', '', dsn].join('\r\n'),
    });
    const failed = await waitFor('the bounce folded into the reply', async () => replyIn(stored.conversationId, 'failed'), 15_000);
    expect((failed.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(['sent', 'failed']);
  });

  it('retries a relay that answers 451 and delivers once', async () => {
    const from = newCustomer();
    sink.refuseNext(451, 2);
    await send({ from, subject: 'Hi', text: 'hello', messageId: `<greylisted-${seq}@example.com>` });
    await waitFor('the reply accepted', async () => sink.to(from).length === 1, 20_000);
    expect(sink.attempts.filter((a) => a.rcptTo.includes(from)).map((a) => a.code)).toEqual([451, 451, 250]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sink.to(from)).toHaveLength(1);
  });

  it('refuses mail for another mailbox (not a relay)', async () => {
    await expect(send({ from: newCustomer(), to: 'someone@elsewhere.example', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
  });

  it('reads a hosted mailbox over IMAP (IDLE) and answers like SMTP mail', async () => {
    const from = newCustomer();
    const id = `<imap-${seq}@example.com>`;
    const client = new ImapFlow({ host: '127.0.0.1', port: imap.port, secure: false, auth: { user: 'testuser', pass: 'testpass' }, logger: false });
    await client.connect();
    try {
      await client.append('INBOX', [`From: ${from}`, `To: ${BOX}`, 'Subject: Via IMAP', `Message-ID: ${id}`, `Return-Path: <${from}>`, '', 'hello', ''].join('\r\n'), []);
    } finally {
      await client.logout();
    }
    const reply = await waitFor('the reply to the IMAP mail', async () => sink.to(from)[0]?.parsed, 20_000);
    expect(reply.inReplyTo).toBe(id);
    expect(reply.subject).toBe('Re: Via IMAP');
    expect(await inbound(id.slice(1, -1))).toMatchObject({ channel: 'email', accountId: BOX });
  });
});
