import { OutboundCommand } from '@omni/contracts';
import type { EmailMessage } from '@omni/channels';
import type { MailThreadDoc } from '../threads/mail-thread.store';
import { MemoryMediaStore, sha256Hex } from '@omni/channel-kit';
import { EmailTransport } from './email.transport';

const BOX = 'support@acme.test';
/** A second connected mailbox, of another tenant. */
const OTHER_BOX = 'help@globex.test';
const mailboxes = { mailbox: async (a: string) => ([BOX, OTHER_BOX].includes(a) ? { tenantId: a === BOX ? 'acme' : 'globex', accountId: a } : undefined) };

function command(overrides: Partial<OutboundCommand> = {}): OutboundCommand {
  return {
    tenantId: 'default', region: 'local', channel: 'email', accountId: BOX, conversationId: 'conv-1', messageId: 'msg-42',
    recipient: { channelUserId: 'ana.souza@example.com' }, author: { kind: 'bot' }, createdAt: '2026-06-10T12:00:00.000Z',
    message: { type: 'text', text: 'We will ship a replacement today.', attachments: [] }, replyToMessageId: 'inbound-1',
    ...overrides,
  };
}

const thread = (over: Partial<MailThreadDoc> = {}): MailThreadDoc => ({
  _id: 'inbound-1', conversationId: 'conv-1', messageId: 'CAF=abc123@mail.example.com', references: ['CAF=root0001@mail.example.com', 'msg-7f3c1a@acme.test'],
  subject: 'Re: Order 4521 arrived damaged', receivedAt: new Date(), ...over,
});

function setup(doc: MailThreadDoc | null, fail?: Error, store?: MemoryMediaStore) {
  const sent: EmailMessage[] = [];
  const lookups: (string | undefined)[] = [];
  const transport = new EmailTransport(
    {
      send: async (m) => {
        if (fail) throw fail;
        sent.push(m);
        return { messageId: m.messageId, response: '250 2.0.0 queued' };
      },
      close: () => undefined,
    },
    { record: async () => undefined, find: async (_c, id) => (lookups.push(id), doc) },
    mailboxes,
    { fromName: 'Acme "Support"' },
    store,
  );
  return { transport, sent, lookups };
}

describe('EmailTransport', () => {
  it('threads the reply onto the customer mail: In-Reply-To it, References its chain plus it, Re: subject', async () => {
    const { transport, sent, lookups } = setup(thread());
    const out = await transport.send(command());
    expect(lookups).toEqual(['inbound-1']);
    expect(sent[0]).toMatchObject({
      from: '"Acme Support" <support@acme.test>', to: 'ana.souza@example.com', subject: 'Re: Order 4521 arrived damaged',
      messageId: '<msg-42@acme.test>', inReplyTo: '<CAF=abc123@mail.example.com>',
      references: ['<CAF=root0001@mail.example.com>', '<msg-7f3c1a@acme.test>', '<CAF=abc123@mail.example.com>'],
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    expect(out.providerMessageId).toBe('msg-42@acme.test');
  });

  it('never puts our own message id into In-Reply-To when no customer mail is known', async () => {
    const { transport, sent } = setup(null);
    await transport.send(command());
    expect(sent[0].inReplyTo).toBeUndefined();
    expect(sent[0].references).toBeUndefined();
  });

  it('does not let the bot answer an automatic mail, but lets an agent', async () => {
    const { transport, sent } = setup(thread({ autoReply: 'Auto-Submitted: auto-replied' }));
    await expect(transport.send(command())).rejects.toMatchObject({ code: 'auto_reply_not_answered', retryable: false });
    await transport.send(command({ author: { kind: 'agent', id: 'agent-1' } }));
    expect(sent).toHaveLength(1);
    expect(sent[0].headers['Auto-Submitted']).toBeUndefined();
  });

  it('types SMTP failures: 4xx retryable, 5xx permanent with the reply code, connection errors retryable', async () => {
    await expect(setup(thread(), Object.assign(new Error('greylisted'), { responseCode: 451, response: '451 4.7.1 try later' })).transport.send(command()))
      .rejects.toMatchObject({ code: 'smtp_temporary', retryable: true });
    await expect(setup(thread(), Object.assign(new Error('no such user'), { responseCode: 550, response: '550 5.1.1 unknown' })).transport.send(command()))
      .rejects.toMatchObject({ code: 'recipient_rejected', retryable: false, details: { providerCode: '550' } });
    await expect(setup(thread(), Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' })).transport.send(command()))
      .rejects.toMatchObject({ code: 'smtp_unavailable', retryable: true });
  });

  it('refuses a command for a mailbox nobody connected, sending nothing', async () => {
    const { transport, sent } = setup(thread());
    await expect(transport.send(command({ accountId: 'sales@acme.test' }))).rejects.toMatchObject({ code: 'unknown_account', retryable: false });
    expect(sent).toHaveLength(0);
  });

  it('sends each reply from its conversation’s mailbox', async () => {
    const { transport, sent } = setup(thread());
    await transport.send(command({ accountId: OTHER_BOX, tenantId: 'globex' }));
    expect(sent[0].from).toContain(`<${OTHER_BOX}>`);
    expect(sent[0].messageId).toMatch(/@globex\.test>?$/);
  });

  it('attaches an agent’s stored file from the media store, and never fetches a URL', async () => {
    const store = new MemoryMediaStore();
    const pdf = Buffer.from('%PDF-1.7 invoice 4521');
    await store.put('default', pdf, { mime: 'application/pdf', filename: 'invoice.pdf', source: 'upload:agent' });
    const { transport, sent } = setup(thread(), undefined, store);
    const invoice = { kind: 'document' as const, mime: 'application/pdf', storeId: sha256Hex(pdf), url: 'https://gateway.example.test/media-links/default/x?exp=1&sig=0' };
    await transport.send(command({ author: { kind: 'agent', id: 'ana' }, message: { type: 'document', text: 'Your invoice.', attachments: [invoice] } }));
    expect(sent[0].attachments).toEqual([{ filename: 'invoice.pdf', contentType: 'application/pdf', content: pdf }]);

    // A URL-only file, or one no longer stored (erased), is refused, not fetched by the mailer.
    const urlOnly = { kind: 'image' as const, mime: 'image/png', url: 'http://169.254.169.254/latest/meta-data/', filename: 'map.png' };
    await expect(transport.send(command({ author: { kind: 'agent', id: 'ana' }, message: { type: 'document', text: 'x', attachments: [invoice, urlOnly] } })))
      .rejects.toMatchObject({ code: 'attachment_not_stored', retryable: false });
    const erased = { ...invoice, storeId: sha256Hex(Buffer.from('gone')) };
    await expect(transport.send(command({ author: { kind: 'agent', id: 'ana' }, message: { type: 'document', text: 'x', attachments: [erased] } })))
      .rejects.toMatchObject({ code: 'attachment_not_stored', retryable: false });
    expect(sent).toHaveLength(1);
  });
});
