import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudEvent, DeliveryStatus, InboundMessage, TOPICS } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import { MediaIngest, MemoryMediaStore } from '@omni/channel-kit';
import { BreakerRegistry } from '@omni/resilience';
import { anEmailConfig } from '../testing';
import type { MailThreadDoc, MailThreads } from '../threads/mail-thread.store';
import { ReceiveMailUseCase } from './receive-mail.use-case';
import { EmailMailboxes } from '../accounts/email-mailboxes';
import { MailAuthResult, MailAuthenticate, NOT_CHECKED, SmtpEnvelope } from './sender-auth';

const FIXTURES = resolve(__dirname, '../../../../libs/channels/fixtures/email');
const eml = (name: string) => readFileSync(resolve(FIXTURES, `${name}.eml`));
const config = anEmailConfig({ EMAIL_ADDRESS: 'Support@acme.test', SMTP_HOST: '127.0.0.1' });

function setup(opts: { failPublish?: boolean; failStore?: boolean; maxBytes?: number; authenticate?: MailAuthenticate } = {}) {
  const published: { topic: string; events: CloudEvent[] }[] = [];
  const publisher = {
    publish: async (topic: string, events: CloudEvent | CloudEvent[]) => {
      if (opts.failPublish) throw new Error('broker down');
      published.push({ topic, events: Array.isArray(events) ? events : [events] });
    },
  } as unknown as EventPublisher;
  const recorded: MailThreadDoc[] = [];
  const threads: MailThreads = {
    record: async (docs) => {
      if (opts.failStore) throw new Error('db down');
      recorded.push(...docs);
    },
    find: async () => null,
  };
  const store = new MemoryMediaStore();
  const stored = store.objects;
  const media = new MediaIngest({ store, breakers: new BreakerRegistry(), limits: { maxBytes: opts.maxBytes ?? 10_000, allowedTypes: ['application/pdf'] }, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, deadlineMs: 5_000, fetchesAtOnce: 4 });
  // sales@globex.test is connected through the API by another tenant; support@acme.test is the env's.
  const directory = { byExternalId: async (_c: string, a: string) => (a === 'sales@globex.test' ? ({ _id: 'ca_1', tenantId: 'globex' } as never) : null) };
  const useCase = new ReceiveMailUseCase(config, threads, publisher, media, opts.authenticate ?? NOT_CHECKED, new EmailMailboxes(directory, config));
  const of = <T>(topic: string) => published.filter((p) => p.topic === topic).flatMap((p) => p.events as CloudEvent<T>[]);
  const mail = (name: string, mailFrom = 'ana.souza@example.com') => ({ raw: eml(name), mailFrom, rcptTo: ['support@acme.test'] });
  return { useCase, recorded, mail, stored, inbound: () => of<InboundMessage>(TOPICS.inbound), statuses: () => of<DeliveryStatus>(TOPICS.status) };
}

describe('ReceiveMailUseCase', () => {
  it('publishes a reply in the thread of its root with the quoted history stripped, and keeps its threading headers', async () => {
    const { useCase, inbound, recorded, mail } = setup();
    expect(await useCase.execute(mail('reply-quoted'))).toEqual({ messages: 1, statuses: 0, ignored: 0 });
    const [event] = inbound();
    expect(event.data).toMatchObject({ channel: 'email', accountId: 'support@acme.test', customer: { channelUserId: 'ana.souza@example.com' } });
    expect(event.data.message.text).toBe('Yes, the address is the same as on the order.');
    expect(recorded).toEqual([expect.objectContaining({
      _id: event.id, conversationId: event.data.conversationId, messageId: 'CAF=abc123@mail.example.com',
      references: ['CAF=root0001@mail.example.com', 'msg-7f3c1a@acme.test'], subject: 'Re: Order 4521 arrived damaged',
    })]);
    expect(recorded[0].autoReply).toBeUndefined();
  });

  it('stores the attachments of a mail and references them from the event, within the size limit', async () => {
    const { useCase, inbound, mail, stored } = setup();
    await useCase.execute(mail('outlook-reply'));
    const [a] = inbound()[0].data.message.attachments;
    expect(a).toMatchObject({ kind: 'document', mime: 'application/pdf', filename: 'signed-form.pdf', storeId: expect.stringMatching(/^[a-f0-9]{64}$/) });
    expect(stored.get(`${config.TENANT_ID}:${a.storeId}`)?.content.subarray(0, 5).toString()).toBe('%PDF-');
    const small = setup({ maxBytes: 1_024 });
    const big = Buffer.from(eml('outlook-reply').toString('utf8').replace('JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCiUlRU9GCg==', Buffer.alloc(2_000, 1).toString('base64')));
    await small.useCase.execute({ raw: big, mailFrom: 'ana.souza@example.com', rcptTo: ['support@acme.test'] });
    expect(small.inbound()[0].data.message.attachments[0].storeError?.code).toBe('media_too_large');
    expect(small.stored.size).toBe(0);
  });

  it('flags an out-of-office so it is stored but never answered by the bot', async () => {
    const { useCase, inbound, recorded, mail } = setup();
    await useCase.execute(mail('auto-reply'));
    expect(inbound()[0].data.message.meta).toMatchObject({ autoReply: true });
    expect(recorded[0].autoReply).toContain('Auto-Submitted');
  });

  it('treats a null envelope sender as a mail not to answer (Return-Path written at the final hop)', async () => {
    const { useCase, recorded, mail } = setup();
    await useCase.execute(mail('new-thread', ''));
    expect(recorded[0].autoReply).toContain('null sender');
  });

  it('turns a DSN bounce into a failed status of our message', async () => {
    const { useCase, statuses, inbound, mail } = setup();
    expect(await useCase.execute(mail('bounce-dsn', ''))).toMatchObject({ messages: 0, statuses: 1 });
    expect(inbound()).toHaveLength(0);
    expect(statuses()[0].data).toMatchObject({ messageId: 'msg-7f3c1a', status: 'failed', error: { code: '5.1.1' } });
  });

  it.each([
    ['Kafka', { failPublish: true }],
    ['the thread store', { failStore: true }],
  ])('makes a %s failure retryable (SMTP 451, the sender retries)', async (_what, opts) => {
    const { useCase, mail } = setup(opts);
    await expect(useCase.execute(mail('new-thread'))).rejects.toMatchObject({ code: 'publish_failed', retryable: true });
  });

  it('refuses a mail without a From address permanently (SMTP 554)', async () => {
    const { useCase, inbound } = setup();
    const raw = Buffer.from('To: support@acme.test\r\nSubject: hi\r\nMessage-ID: <x1@example.com>\r\n\r\nhello\r\n');
    await expect(useCase.execute({ raw, mailFrom: 'x@example.com', rcptTo: ['support@acme.test'] })).rejects.toMatchObject({ code: 'validation_failed', retryable: false });
    expect(inbound()).toHaveLength(0);
  });

  describe('sender authentication (issue 15 #2)', () => {
    const dmarc = (result: string, from = 'example.com'): MailAuthResult => ({
      dmarc: { status: { result, header: { from } }, alignment: { spf: { result: result === 'pass' ? from : false }, dkim: { result: false } } },
      arc: false,
    });

    it('checks the bytes as received with the SMTP client\'s address, HELO and MAIL FROM, and marks an aligned pass verified', async () => {
      const seen: SmtpEnvelope[] = [];
      const { useCase, inbound, mail } = setup({ authenticate: async (_raw, envelope) => (seen.push(envelope), dmarc('pass')) });
      await useCase.execute({ ...mail('reply-quoted'), ip: '203.0.113.7', helo: 'mx.example.com' });
      expect(seen).toEqual([{ ip: '203.0.113.7', helo: 'mx.example.com', mailFrom: 'ana.souza@example.com' }]);
      expect(inbound()[0].data.message.meta).toMatchObject({ senderVerified: true, senderAuth: 'dmarc=pass' });
    });

    it.each([
      ['a DMARC failure', async () => dmarc('fail')],
      ['a pass for another domain than From', async () => dmarc('pass', 'evil.example')],
      ['no check (mailauth not installed)', NOT_CHECKED],
    ])('leaves the sender unverified on %s', async (_name, authenticate) => {
      const { useCase, inbound, mail } = setup({ authenticate });
      await useCase.execute(mail('reply-quoted'));
      expect(inbound()[0].data.message.meta?.senderVerified).toBe(false);
    });

    it('still takes the mail, unverified, when the check fails (DNS down, timeout)', async () => {
      const { useCase, inbound, mail } = setup({ authenticate: () => Promise.reject(new Error('queryTxt ETIMEOUT example.com')) });
      expect(await useCase.execute(mail('reply-quoted'))).toMatchObject({ messages: 1 });
      expect(inbound()[0].data.message.meta).toMatchObject({ senderVerified: false, senderAuth: 'temperror' });
    });
  });

  it('delivers a copy to each connected mailbox it was sent to, each in its mailbox’s tenant', async () => {
    const { useCase, inbound } = setup();
    const n = await useCase.execute({ raw: eml('new-thread'), mailFrom: 'ana.souza@example.com', rcptTo: ['support@acme.test', 'Sales@globex.test'] });
    expect(n.messages).toBe(2);
    expect(inbound().map((e) => [e.data.accountId, e.data.tenantId, e.tenantid]).sort()).toEqual([
      ['sales@globex.test', 'globex', 'globex'],
      ['support@acme.test', config.TENANT_ID, config.TENANT_ID],
    ]);
  });

  it('refuses mail for no connected mailbox, naming the field, producing nothing', async () => {
    const { useCase, inbound } = setup();
    await expect(useCase.execute({ raw: eml('new-thread'), mailFrom: 'ana.souza@example.com', rcptTo: ['nobody@elsewhere.test'] })).rejects.toMatchObject({ code: 'validation_failed', details: { issues: [{ path: 'rcptTo' }] } });
    expect(inbound()).toHaveLength(0);
  });
});
