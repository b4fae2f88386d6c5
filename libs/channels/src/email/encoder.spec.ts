import { ValidationError } from '@omni/contracts';
import { outboundCommand } from '../testing/commands';
import { encodeEmail } from './encoder';

const config = { from: 'Acme Support <support@acme.test>', messageIdDomain: 'acme.test' };
const cmd = (o: Parameters<typeof outboundCommand>[0] = {}) => outboundCommand({ channel: 'email', recipient: { channelUserId: 'ana.souza@example.com' }, ...o });

describe('encodeEmail', () => {
  it('threads the reply with In-Reply-To and References and a deterministic Message-ID', () => {
    const mail = encodeEmail(cmd({ message: { text: 'Hi Ana,\n\nwe ship a new lid <today>.' } }), config, {
      subject: 'Order 4521 arrived damaged', inReplyTo: '<CAF=abc123@mail.example.com>', references: ['<CAF=root0001@mail.example.com>'],
    });
    expect(mail).toEqual({
      from: 'Acme Support <support@acme.test>', to: 'ana.souza@example.com', subject: 'Re: Order 4521 arrived damaged',
      text: 'Hi Ana,\n\nwe ship a new lid <today>.', html: '<p>Hi Ana,</p>\n<p>we ship a new lid &lt;today&gt;.</p>',
      messageId: '<msg-0001@acme.test>', inReplyTo: '<CAF=abc123@mail.example.com>',
      references: ['<CAF=root0001@mail.example.com>', '<CAF=abc123@mail.example.com>'],
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' }, attachments: [],
    });
  });

  it('does not mark a human agent reply as automatic, nor double the Re: prefix', () => {
    const mail = encodeEmail(cmd({ author: { kind: 'agent' }, message: { text: 'x' } }), config, { subject: 'RE: Invoice', inReplyTo: 'a@b' });
    expect(mail.headers).toEqual({});
    expect(mail.subject).toBe('RE: Invoice');
  });

  it('renders buttons as numbered options and attaches media', () => {
    const mail = encodeEmail(cmd({ message: { type: 'interactive', text: 'Choose:', buttons: [{ id: 'a', title: 'Refund' }, { id: 'b', title: 'Replace' }], attachments: [{ kind: 'document', mime: 'application/pdf', mediaId: 'sha256:ab', filename: 'label.pdf' }] } }), { ...config, resolveMedia: (id) => `/var/media/${id}` });
    expect(mail.text).toBe('Choose:\n\n1. Refund\n2. Replace');
    expect(mail.attachments).toEqual([{ filename: 'label.pdf', contentType: 'application/pdf', path: '/var/media/sha256:ab' }]);
    expect(mail.subject).toBe('Your message');
    expect(mail.inReplyTo).toBeUndefined();
  });

  it('refuses what mail cannot carry', () => {
    expect(() => encodeEmail(cmd({ message: { template: { name: 't', language: 'en', params: [] } } }), config)).toThrow(ValidationError);
    expect(() => encodeEmail(cmd({ message: { type: 'image', attachments: [{ kind: 'image', mime: 'image/png', mediaId: 'x' }] } }), config)).toThrow(/resolveMedia/);
    expect(() => encodeEmail(cmd({ message: { type: 'text' } }), config)).toThrow(/nothing to send/);
  });
});
