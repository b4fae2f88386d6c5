import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError, conversationId } from '@omni/contracts';
import { toNewEvents } from '../common/decode';
import { TelegramDecodeContext, decodeTelegramUpdate } from './decoder';

const DIR = join(__dirname, '../../fixtures/telegram');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(DIR, name), 'utf8'));
const NOW = new Date('2026-06-10T12:00:00Z');
const ctx: TelegramDecodeContext = { tenantId: 't1', region: 'eu-1', botId: '987654321', now: () => NOW };
const one = (name: string) => {
  const r = decodeTelegramUpdate(fixture(name), ctx);
  expect(r.messages).toHaveLength(1);
  return r.messages[0];
};

describe('decodeTelegramUpdate', () => {
  it('decodes a text message into the chat thread of the bot', () => {
    expect(one('text.json')).toMatchObject({
      channel: 'telegram', accountId: '987654321', conversationId: conversationId('t1', 'telegram', '987654321', '123456789'),
      customer: { channelUserId: '123456789', displayName: 'Maria Silva', locale: 'pt-br' },
      message: { channelMessageId: '123456789:1365', type: 'text', text: 'Olá, preciso de ajuda com meu pedido', timestamp: '2025-06-08T20:59:43.000Z' },
    });
  });

  it('decodes a reaction to one of the bot’s messages, naming it the way sent messages are stored', () => {
    expect(one('message-reaction.json')).toMatchObject({
      conversationId: conversationId('t1', 'telegram', '987654321', '123456789'),
      customer: { channelUserId: '123456789', displayName: 'Maria Silva' },
      message: { type: 'reaction', reaction: { emoji: '👎', targetMessageId: '123456789:1366' }, channelMessageId: 'reaction:123456789:1366:123456789:1749416500' },
    });
    const update = fixture('message-reaction.json') as { message_reaction: Record<string, unknown> };
    const removed = decodeTelegramUpdate({ ...update, message_reaction: { ...update.message_reaction, old_reaction: [{ type: 'emoji', emoji: '👎' }], new_reaction: [] } }, ctx);
    expect(removed.messages[0].message).toMatchObject({ reaction: { emoji: '' }, meta: { reactionRemoved: true } });
    const custom = decodeTelegramUpdate({ ...update, message_reaction: { ...update.message_reaction, new_reaction: [{ type: 'custom_emoji', custom_emoji_id: '5368324170671202286' }] } }, ctx);
    expect(custom.messages[0].message.reaction?.emoji).toBe('');
    const anonymous = { ...update.message_reaction, user: undefined, actor_chat: { id: -100123, type: 'channel', title: 'News' } };
    expect(decodeTelegramUpdate({ ...update, message_reaction: anonymous }, ctx)).toMatchObject({ messages: [], ignored: [{ reason: 'reaction without a human user' }] });
  });

  it('flags commands and replies', () => {
    expect(one('command.json').message.meta).toEqual({ command: '/start' });
    expect(one('reply.json').message.replyToId).toBe('123456789:1300');
  });

  it('takes the largest photo size', () => {
    expect(one('photo.json').message).toMatchObject({
      type: 'image', text: 'damaged box',
      attachments: [{ kind: 'image', mime: 'image/jpeg', size: 98765, mediaId: expect.stringContaining('Ph3'), caption: 'damaged box' }],
    });
  });

  it.each([
    ['voice.json', 'audio', 'audio', 'audio/ogg'],
    ['audio.json', 'audio', 'audio', 'audio/mpeg'],
    ['document.json', 'document', 'document', 'application/pdf'],
    ['video.json', 'video', 'video', 'video/mp4'],
    ['sticker.json', 'sticker', 'sticker', 'image/webp'],
  ])('decodes %s', (file, type, kind, mime) => {
    const m = one(file).message;
    expect(m.type).toBe(type);
    expect(m.attachments).toEqual([expect.objectContaining({ kind, mime, mediaId: expect.stringMatching(/^AgAC/) })]);
  });

  it('keeps voice, file names and sticker emoji', () => {
    expect(one('voice.json').message.meta).toEqual({ voice: true });
    expect(one('document.json').message.attachments[0].filename).toBe('nota-fiscal.pdf');
    expect(one('sticker.json').message.text).toBe('\u{1F44D}');
  });

  it('decodes location and contact (emails from the vCard)', () => {
    expect(one('location.json').message).toMatchObject({ type: 'location', location: { latitude: -23.561684, longitude: -46.655981 } });
    expect(one('contact.json').message).toMatchObject({ type: 'contact', contacts: [{ name: 'João Pereira', phones: ['+5511987654321'], emails: ['joao@example.com'] }] });
  });

  it('gives an edit its own id so it is not deduplicated as a redelivery', () => {
    const m = one('edited-message.json').message;
    expect(m).toMatchObject({ channelMessageId: '123456789:1365:edit:1749416450', text: 'Olá, preciso de ajuda com meu pedido #4521', meta: { edited: true, editOf: '123456789:1365' } });
    expect(m.timestamp).toBe('2025-06-08T21:00:50.000Z');
  });

  it('decodes a callback query with the tapped button title', () => {
    expect(one('callback-query.json').message).toMatchObject({
      channelMessageId: 'callback:4382bfdwdsb323b2d9', type: 'interactive', text: 'Good',
      interactive: { kind: 'callback', id: 'rate:good', title: 'Good' }, replyToId: '123456789:1301',
      timestamp: NOW.toISOString(), meta: { callbackQueryId: '4382bfdwdsb323b2d9' },
    });
  });

  it('threads group messages by chat, the customer being the sender', () => {
    const m = one('group-message.json');
    expect(m.conversationId).toBe(conversationId('t1', 'telegram', '987654321', '-1001234567890'));
    expect(m.customer.channelUserId).toBe('123456789');
    expect(m.message.meta).toEqual({ groupChat: true });
  });

  it('gives a redelivered update the same event id', () => {
    const a = toNewEvents(decodeTelegramUpdate(fixture('photo.json'), ctx));
    const b = toNewEvents(decodeTelegramUpdate(fixture('photo.json'), { ...ctx, now: () => new Date() }));
    expect(b.map((e) => e.id)).toEqual(a.map((e) => e.id));
  });

  it('ignores unhandled updates and unknown bots, rejects malformed ones', () => {
    expect(decodeTelegramUpdate({ update_id: 1, my_chat_member: {} }, ctx).ignored).toEqual([{ reason: 'update my_chat_member is not handled', ref: '1' }]);
    expect(decodeTelegramUpdate(fixture('text.json'), { ...ctx, resolveAccount: () => undefined }).ignored[0].reason).toMatch(/unknown Telegram bot/);
    expect(() => decodeTelegramUpdate({ message: {} }, ctx)).toThrow(ValidationError);
    expect(() => decodeTelegramUpdate({ update_id: 2, message: { message_id: 1, date: 1, chat: {} } }, ctx)).toThrow(/chat\.id/);
  });

  it('decodes every fixture, and an array of updates', () => {
    const all = readdirSync(DIR).map(fixture);
    expect(decodeTelegramUpdate(all, ctx).messages).toHaveLength(all.length);
  });
});
