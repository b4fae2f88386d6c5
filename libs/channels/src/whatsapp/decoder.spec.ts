import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError, channelEventId, conversationId } from '@omni/contracts';
import { DecodeContext, inboundEventId, statusEventIdOf, toNewEvents } from '../common/decode';
import { decodeWhatsAppWebhook } from './decoder';

const DIR = join(__dirname, '../../fixtures/whatsapp');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(DIR, name), 'utf8'));
const ctx: DecodeContext = { tenantId: 't1', region: 'eu-1' };
const one = (name: string) => {
  const r = decodeWhatsAppWebhook(fixture(name), ctx);
  expect(r.messages).toHaveLength(1);
  return r.messages[0];
};
const CUSTOMER = '16505551234';
const ACCOUNT = '106540352242922';

describe('decodeWhatsAppWebhook', () => {
  it('decodes text with the customer, thread and deterministic ids', () => {
    const m = one('text.json');
    expect(m).toMatchObject({
      tenantId: 't1', region: 'eu-1', channel: 'whatsapp', accountId: ACCOUNT,
      conversationId: conversationId('t1', 'whatsapp', ACCOUNT, CUSTOMER),
      customer: { channelUserId: CUSTOMER, displayName: 'Sheena Nelson' },
      message: { direction: 'inbound', type: 'text', text: 'Does it come in another color?', attachments: [], timestamp: '2025-06-08T20:59:43.000Z' },
    });
    expect(inboundEventId(m)).toBe(channelEventId('whatsapp', ACCOUNT, m.message.channelMessageId));
  });

  it('yields the same event ids when the webhook is delivered again', () => {
    const first = toNewEvents(decodeWhatsAppWebhook(fixture('batched.json'), ctx)).map((e) => e.id);
    const again = toNewEvents(decodeWhatsAppWebhook(fixture('batched.json'), ctx)).map((e) => e.id);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('keeps the reply context', () => {
    expect(one('text-reply.json').message.replyToId).toBe('wamid.HBgLMTY1MDUwNTUxMjM0FQIAERgSOUTBOUND01');
  });

  it.each([
    ['image.json', 'image', 'image', 'image/jpeg', 'This is a caption'],
    ['audio-voice.json', 'audio', 'audio', 'audio/ogg; codecs=opus', undefined],
    ['video.json', 'video', 'video', 'video/mp4', 'Unboxing'],
    ['document.json', 'document', 'document', 'application/pdf', 'Invoice'],
    ['sticker.json', 'sticker', 'sticker', 'image/webp', undefined],
  ])('decodes media %s', (file, type, kind, mime, caption) => {
    const m = one(file);
    expect(m.message.type).toBe(type);
    expect(m.message.text).toBe(caption);
    expect(m.message.attachments).toHaveLength(1);
    const a = m.message.attachments[0];
    expect(a).toMatchObject({ kind, mime });
    expect(a.mediaId).toMatch(/^\d+$/);
    // Meta's base64 hash converted to the contract's hex.
    expect(a.sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it('marks voice notes and keeps document filenames', () => {
    expect(one('audio-voice.json').message.meta).toEqual({ voice: true });
    expect(one('document.json').message.attachments[0].filename).toBe('invoice-0042.pdf');
  });

  it('decodes location and contacts', () => {
    expect(one('location.json').message).toMatchObject({
      type: 'location', location: { latitude: 37.483307, longitude: -122.148981, name: 'Meta Headquarters', address: '1 Hacker Way, Menlo Park, CA 94025' },
    });
    expect(one('contacts.json').message).toMatchObject({
      type: 'contact', contacts: [{ name: 'Kerry Fisher', phones: ['+1 (650) 555-1234'], emails: ['kfish@example.com'] }],
    });
  });

  it('decodes interactive button and list replies and template buttons', () => {
    expect(one('interactive-button-reply.json').message).toMatchObject({
      type: 'interactive', text: 'Track my order', interactive: { kind: 'button', id: 'track-order', title: 'Track my order' },
      replyToId: 'wamid.HBgLMTY1MDUwNTUxMjM0FQIAERgSOUTBOUND02',
    });
    expect(one('interactive-list-reply.json').message).toMatchObject({
      type: 'interactive', interactive: { kind: 'list', id: 'priority-express', title: 'Express shipping' }, meta: { description: 'Next day delivery' },
    });
    expect(one('button.json').message).toMatchObject({
      type: 'interactive', text: 'Stop promotions', interactive: { kind: 'button', id: 'STOP_PROMOTIONS' }, meta: { templateButton: true },
    });
  });

  it('decodes reactions', () => {
    expect(one('reaction.json').message).toMatchObject({
      type: 'reaction', reaction: { emoji: '\u{1F44D}', targetMessageId: 'wamid.HBgLMTY1MDUwNTUxMjM0FQIAERgSOUTBOUND05' },
    });
  });

  it('reports unsupported types as ignored instead of failing the batch', () => {
    const r = decodeWhatsAppWebhook(fixture('unsupported.json'), ctx);
    expect(r.messages).toEqual([]);
    expect(r.ignored).toEqual([{ reason: 'message type unsupported is not supported', ref: 'wamid.HBgLMTY1MDUwNTUxMjM0FQIAEhgU3A0014UNSUP' }]);
  });

  it.each(['sent', 'delivered', 'read'])('decodes a %s status carrying our message id', (state) => {
    const r = decodeWhatsAppWebhook(fixture(`status-${state}.json`), ctx);
    expect(r.statuses).toEqual([expect.objectContaining({
      status: state, messageId: 'msg-7f3c1a', channelMessageId: 'wamid.HBgLMTY1MDUwNTUxMjM0FQIAERgSOUTBOUND10',
      conversationId: conversationId('t1', 'whatsapp', ACCOUNT, CUSTOMER), timestamp: '2025-06-08T21:00:00.000Z',
    })]);
    expect(statusEventIdOf(r.statuses[0])).not.toBe(statusEventIdOf({ ...r.statuses[0], status: 'failed' }));
  });

  it('decodes a failed status with the provider code and reason', () => {
    const [s] = decodeWhatsAppWebhook(fixture('status-failed.json'), ctx).statuses;
    expect(s.status).toBe('failed');
    expect(s.messageId).toBe(s.channelMessageId);
    expect(s.error).toEqual({ code: '131047', reason: expect.stringMatching(/^Re-engagement message: .*24 hours/), retryable: false });
  });

  it('decodes EVERY entry, change, message and status of a batched webhook', () => {
    const r = decodeWhatsAppWebhook(fixture('batched.json'), ctx);
    expect(r.messages.map((m) => [m.accountId, m.customer.channelUserId, m.message.channelMessageId])).toEqual([
      [ACCOUNT, CUSTOMER, 'wamid.BATCH1'],
      [ACCOUNT, '5215512345678', 'wamid.BATCH2'],
      [ACCOUNT, CUSTOMER, 'wamid.BATCH3'],
      ['112233445566778', '5511987654321', 'wamid.BATCH4'],
      ['112233445566778', '5511987654321', 'wamid.BATCH5'],
    ]);
    expect(r.messages[1].customer.displayName).toBe('Luis Ortega');
    expect(r.messages[4].message.type).toBe('image');
    expect(r.statuses.map((s) => s.status)).toEqual(['delivered', 'read']);
    expect(r.ignored).toEqual([]);
  });

  it('maps phone numbers to accounts and tenants through the resolver, skipping unknown ones', () => {
    const r = decodeWhatsAppWebhook(fixture('batched.json'), {
      ...ctx,
      resolveAccount: (id) => (id === ACCOUNT ? { accountId: 'acc-main', tenantId: 't9' } : undefined),
    });
    expect(r.messages).toHaveLength(3);
    expect(r.messages.every((m) => m.accountId === 'acc-main' && m.tenantId === 't9')).toBe(true);
    expect(r.ignored).toEqual([{ reason: 'unknown WhatsApp phone number 112233445566778', ref: 'entry[1].changes[0].value' }]);
  });

  it('rejects malformed payloads with a ValidationError naming the path', () => {
    expect(() => decodeWhatsAppWebhook(null, ctx)).toThrow(ValidationError);
    expect(() => decodeWhatsAppWebhook({ object: 'page', entry: [] }, ctx)).toThrow(/whatsapp_business_account/);
    expect(() => decodeWhatsAppWebhook({ object: 'whatsapp_business_account' }, ctx)).toThrow(/entry: expected an array/);
    const broken = fixture('text.json') as { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
    delete broken.entry[0].changes[0].value.messages[0].from;
    expect(() => decodeWhatsAppWebhook(broken, ctx)).toThrow(/entry\[0\]\.changes\[0\]\.value\.messages\[0\]\.from/);
  });

  it('has a fixture decoded by this suite for every file in the fixture folder', () => {
    for (const f of readdirSync(DIR)) {
      const r = decodeWhatsAppWebhook(fixture(f), ctx);
      expect(r.messages.length + r.statuses.length + r.ignored.length).toBeGreaterThan(0);
    }
  });
});
