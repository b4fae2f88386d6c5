import { decodeWhatsAppWebAck, decodeWhatsAppWebMessage, decodeWhatsAppWebReaction, WebMessageLike, webChatId, webUserId } from './decoder';
import { inboundEventId } from '../common/decode';

const ctx = { tenantId: 't1', region: 'local', resolveAccount: (id: string) => (id === 'shop1' ? { accountId: id } : undefined) };

/** A whatsapp-web.js Message as the library emits it on `message` (the fields it documents). */
function webMessage(over: Partial<WebMessageLike> = {}, data: WebMessageLike['_data'] = {}): WebMessageLike {
  const from = over.from ?? '16505551234@c.us';
  const id = over.id?.id ?? '3EB0C767D26A1D5B8F44';
  return {
    id: { fromMe: false, remote: from, id, _serialized: `false_${from}_${id}` },
    from,
    to: '15550783881@c.us',
    type: 'chat',
    body: 'hello',
    timestamp: 1749416383,
    fromMe: false,
    hasMedia: false,
    isStatus: false,
    ...over,
    _data: { notifyName: 'Sheena Nelson', ...data },
  };
}

const decode = (m: WebMessageLike) => {
  const d = decodeWhatsAppWebMessage(m, ctx, 'shop1');
  if ('ignored' in d) throw new Error(d.ignored);
  return d.message;
};

describe('decodeWhatsAppWebMessage', () => {
  it('normalizes a text like the Cloud API does: the number as customer and thread, the stanza id as message id', () => {
    const m = decode(webMessage());
    expect(m).toMatchObject({
      tenantId: 't1', channel: 'whatsapp', accountId: 'shop1',
      customer: { channelUserId: '16505551234', displayName: 'Sheena Nelson' },
      message: { type: 'text', text: 'hello', channelMessageId: '3EB0C767D26A1D5B8F44', timestamp: '2025-06-08T20:59:43.000Z', meta: { linkedDevice: true } },
    });
    expect(inboundEventId(m)).toBe(inboundEventId(decode(webMessage()))); // deterministic
  });

  it('keeps the quoted stanza id as replyToId', () => {
    expect(decode(webMessage({}, { quotedStanzaID: '3EB0AAAA' })).message.replyToId).toBe('3EB0AAAA');
  });

  it.each([
    ['image', { mimetype: 'image/jpeg', caption: 'receipt', size: 2048 }, 'image', 'image', 'image/jpeg'],
    ['ptt', { mimetype: 'audio/ogg; codecs=opus' }, 'audio', 'audio', 'audio/ogg; codecs=opus'],
    ['video', { mimetype: 'video/mp4' }, 'video', 'video', 'video/mp4'],
    ['document', { mimetype: 'application/pdf', filename: 'invoice.pdf' }, 'document', 'document', 'application/pdf'],
    ['sticker', { mimetype: 'image/webp' }, 'sticker', 'sticker', 'image/webp'],
  ] as const)('turns a %s into an attachment named by the serialized message id', (type, data, msgType, kind, mime) => {
    const m = decode(webMessage({ type, hasMedia: true, body: type === 'image' ? 'receipt' : '' }, data));
    expect(m.message.type).toBe(msgType);
    expect(m.message.attachments).toEqual([expect.objectContaining({ kind, mime, mediaId: 'false_16505551234@c.us_3EB0C767D26A1D5B8F44' })]);
    if (type === 'ptt') expect(m.message.meta).toMatchObject({ voice: true });
    if (type === 'document') expect(m.message.attachments[0].filename).toBe('invoice.pdf');
    if (type === 'image') expect(m.message).toMatchObject({ text: 'receipt', attachments: [{ caption: 'receipt', size: 2048 }] });
  });

  it('decodes locations, vCards and button/list replies', () => {
    expect(decode(webMessage({ type: 'location', body: '', location: { latitude: '38.7223', longitude: '-9.1393', description: 'Lisboa' } })).message).toMatchObject({
      type: 'location', location: { latitude: 38.7223, longitude: -9.1393, name: 'Lisboa' },
    });
    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Ana Souza\nitem1.TEL;waid=5511987654321:+55 11 98765-4321\nEMAIL;type=INTERNET:ana@example.com\nEND:VCARD';
    expect(decode(webMessage({ type: 'vcard', body: vcard, vCards: [vcard] })).message.contacts).toEqual([{ name: 'Ana Souza', phones: ['+55 11 98765-4321'], emails: ['ana@example.com'] }]);
    expect(decode(webMessage({ type: 'buttons_response', body: 'Yes', selectedButtonId: 'confirm' })).message.interactive).toEqual({ kind: 'button', id: 'confirm', title: 'Yes' });
    expect(decode(webMessage({ type: 'list_response', body: 'Tomorrow', selectedRowId: 'slot-2' })).message.interactive).toEqual({ kind: 'list', id: 'slot-2', title: 'Tomorrow' });
  });

  it.each([
    ['our own message', webMessage({ fromMe: true })],
    ['a status broadcast', webMessage({ from: 'status@broadcast', isStatus: true })],
    ['a group message', webMessage({ from: '120363025246125486@g.us' })],
    ['an unsupported type', webMessage({ type: 'e2e_notification' })],
  ])('ignores %s', (_why, m) => {
    expect(decodeWhatsAppWebMessage(m, ctx, 'shop1')).toHaveProperty('ignored');
  });

  it('ignores an account that is not ours', () => {
    expect(decodeWhatsAppWebMessage(webMessage(), ctx, 'other')).toEqual({ ignored: 'unknown account other' });
  });
});

describe('decodeWhatsAppWebReaction', () => {
  it('turns a reaction into a reaction message on the customer’s thread', () => {
    const d = decodeWhatsAppWebReaction(
      { id: { id: 'R1', _serialized: 'false_16505551234@c.us_R1' }, msgId: { id: '3EB0OUT', remote: '16505551234@c.us', _serialized: 'true_16505551234@c.us_3EB0OUT' }, reaction: '👍', senderId: '16505551234@c.us', timestamp: 1749416400 },
      ctx, 'shop1',
    );
    expect(d).toMatchObject({ message: { customer: { channelUserId: '16505551234' }, message: { type: 'reaction', reaction: { emoji: '👍', targetMessageId: '3EB0OUT' } } } });
  });
});

describe('decodeWhatsAppWebAck', () => {
  const ours = webMessage({ fromMe: true, from: '15550783881@c.us', to: '16505551234@c.us', id: { fromMe: true, remote: '16505551234@c.us', id: '3EB0OUT', _serialized: 'true_16505551234@c.us_3EB0OUT' } });
  it.each([
    [2, 'delivered'],
    [3, 'read'],
    [4, 'read'],
    [-1, 'failed'],
  ])('maps ack %s to %s', (ack, status) => {
    expect(decodeWhatsAppWebAck(ours, ack, ctx, 'shop1')).toMatchObject({ status, channelMessageId: '3EB0OUT', accountId: 'shop1' });
  });
  it('ignores pending/server acks and acks of messages we did not send', () => {
    expect(decodeWhatsAppWebAck(ours, 1, ctx, 'shop1')).toHaveProperty('ignored');
    expect(decodeWhatsAppWebAck(webMessage(), 3, ctx, 'shop1')).toHaveProperty('ignored');
  });
});

describe('chat ids', () => {
  it('round-trips a number and keeps privacy ids whole', () => {
    expect(webUserId('16505551234@c.us')).toBe('16505551234');
    expect(webChatId('16505551234')).toBe('16505551234@c.us');
    expect(webChatId(webUserId('8412345678901@lid') as string)).toBe('8412345678901@lid');
    expect(webUserId('120363025246125486@g.us')).toBeUndefined();
  });
});
