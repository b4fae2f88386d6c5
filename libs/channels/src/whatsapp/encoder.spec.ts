import { ValidationError } from '@omni/contracts';
import { outboundCommand } from '../testing/commands';
import { encodeWhatsApp } from './encoder';

const config = { apiVersion: 'v23.0', phoneNumberId: '106540352242922' };
const encode = (o: Parameters<typeof outboundCommand>[0]) => encodeWhatsApp(outboundCommand(o), config);
const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '16505551234', biz_opaque_callback_data: 'msg-0001' };

describe('encodeWhatsApp', () => {
  it('encodes text to the Graph messages endpoint without credentials, quoting the replied message', () => {
    const [req, ...rest] = encode({ message: { text: 'Hello' }, replyToMessageId: 'wamid.IN1' });
    expect(rest).toEqual([]);
    expect(req).toEqual({
      method: 'POST', path: '/v23.0/106540352242922/messages', headers: { 'content-type': 'application/json' },
      body: { ...base, context: { message_id: 'wamid.IN1' }, type: 'text', text: { body: 'Hello', preview_url: false } },
    });
    expect(JSON.stringify(req)).not.toMatch(/authorization|bearer/i);
  });

  it('splits text beyond 4096 characters into several messages, losing nothing', () => {
    const long = `${'a'.repeat(3000)} ${'b'.repeat(3000)}`;
    const reqs = encode({ message: { text: long } });
    expect(reqs).toHaveLength(2);
    const bodies = reqs.map((r) => (r.body.text as { body: string }).body);
    expect(bodies.every((b) => b.length <= 4096)).toBe(true);
    expect(bodies.join(' ')).toBe(long);
  });

  it('encodes media by id or link, the text as caption where WhatsApp allows one', () => {
    const [img] = encode({ message: { type: 'image', text: 'Your receipt', attachments: [{ kind: 'image', mime: 'image/png', url: 'https://cdn.example.com/r.png' }] } });
    expect(img.body).toMatchObject({ type: 'image', image: { link: 'https://cdn.example.com/r.png', caption: 'Your receipt' } });
    const [doc] = encode({ message: { type: 'document', attachments: [{ kind: 'document', mime: 'application/pdf', mediaId: '1234', filename: 'inv.pdf' }] } });
    expect(doc.body).toMatchObject({ type: 'document', document: { id: '1234', filename: 'inv.pdf' } });
    const reqs = encode({ message: { type: 'audio', text: 'Listen', attachments: [{ kind: 'audio', mime: 'audio/ogg', mediaId: '55' }, { kind: 'video', mime: 'video/mp4', mediaId: '56' }] } });
    expect(reqs.map((r) => r.body.type)).toEqual(['text', 'audio', 'video']);
    expect(reqs[1].body.audio).toEqual({ id: '55' });
  });

  it('encodes up to 3 short buttons as reply buttons and more as a list', () => {
    const [btn] = encode({ message: { type: 'interactive', text: 'Pick one', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] } });
    expect(btn.body).toMatchObject({
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Pick one' }, action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] } },
    });
    const buttons = ['a', 'b', 'c', 'd'].map((id) => ({ id, title: `Option ${id}` }));
    const [list] = encode({ message: { type: 'interactive', text: 'Pick', buttons } });
    expect(list.body).toMatchObject({ interactive: { type: 'list', action: { sections: [{ rows: buttons }] } } });
    expect(() => encode({ message: { type: 'interactive', buttons } })).toThrow(ValidationError);
  });

  it('encodes templates with body parameters and Meta language codes', () => {
    const [req] = encode({ message: { template: { name: 'reengage', language: 'pt-BR', params: ['Ana'] } } });
    expect(req.body).toEqual({
      ...base, type: 'template',
      template: { name: 'reengage', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] },
    });
  });

  it('encodes reactions on the quoted message and refuses unsendable commands', () => {
    const [r] = encode({ message: { type: 'reaction', text: '\u{1F44D}' }, replyToMessageId: 'wamid.IN2' });
    expect(r.body).toMatchObject({ type: 'reaction', reaction: { message_id: 'wamid.IN2', emoji: '\u{1F44D}' } });
    expect(r.body.context).toBeUndefined();
    expect(() => encode({ message: { type: 'reaction', text: 'x' } })).toThrow(/replyToMessageId/);
    expect(() => encode({ message: { type: 'text' } })).toThrow(/nothing to send/);
    expect(() => encode({ message: { type: 'location', text: 'here' } })).toThrow(ValidationError);
    expect(() => encodeWhatsApp({ ...outboundCommand(), recipient: { channelUserId: '' } }, config)).toThrow(ValidationError);
  });
});
