import { ValidationError } from '@omni/contracts';
import { outboundCommand } from '../testing/commands';
import { encodeTelegram, encodeTelegramCallbackAnswer, telegramPath } from './encoder';

const cmd = (o: Parameters<typeof outboundCommand>[0] = {}) => outboundCommand({ channel: 'telegram', recipient: { channelUserId: '123456789' }, ...o });

describe('encodeTelegram', () => {
  it('encodes text as sendMessage without a token or parse_mode, replying to the quoted message', () => {
    expect(encodeTelegram(cmd({ message: { text: 'Olá! 1.5 - ok!' }, replyToMessageId: '123456789:1365' }))).toEqual([{
      method: 'POST', path: '/sendMessage', headers: { 'content-type': 'application/json' },
      body: { chat_id: '123456789', reply_parameters: { message_id: 1365, allow_sending_without_reply: true }, text: 'Olá! 1.5 - ok!' },
    }]);
    expect(telegramPath('987:TOKEN', 'sendMessage')).toBe('/bot987:TOKEN/sendMessage');
  });

  it('puts buttons in an inline keyboard and refuses callback data over 64 bytes', () => {
    const [req] = encodeTelegram(cmd({ message: { type: 'interactive', text: 'Rate us', buttons: [{ id: 'rate:good', title: 'Good' }, { id: 'rate:bad', title: 'Bad' }] } }));
    expect(req.body.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Good', callback_data: 'rate:good' }], [{ text: 'Bad', callback_data: 'rate:bad' }]] });
    expect(() => encodeTelegram(cmd({ message: { text: 'x', buttons: [{ id: 'é'.repeat(33), title: 'T' }] } }))).toThrow(/64-byte/);
  });

  it.each([
    ['image', 'image/jpeg', 'sendPhoto', 'photo'],
    ['document', 'application/pdf', 'sendDocument', 'document'],
    ['video', 'video/mp4', 'sendVideo', 'video'],
    ['audio', 'audio/mpeg', 'sendAudio', 'audio'],
    ['audio', 'audio/ogg; codecs=opus', 'sendVoice', 'voice'],
  ] as const)('sends %s (%s) with %s', (kind, mime, method, field) => {
    const [req] = encodeTelegram(cmd({ message: { type: kind, text: 'caption', attachments: [{ kind, mime, mediaId: 'AgACfile' }] } }));
    expect(req.path).toBe(`/${method}`);
    expect(req.body).toEqual({ chat_id: '123456789', [field]: 'AgACfile', caption: 'caption' });
  });

  it('sends text too long for a caption as separate, split messages', () => {
    const long = 'x '.repeat(2500);
    const reqs = encodeTelegram(cmd({ message: { type: 'image', text: long, attachments: [{ kind: 'image', mime: 'image/png', url: 'https://cdn.example.com/a.png' }] } }));
    expect(reqs.map((r) => r.path)).toEqual(['/sendPhoto', '/sendMessage', '/sendMessage']);
    expect(reqs[0].body).toEqual({ chat_id: '123456789', photo: 'https://cdn.example.com/a.png' });
  });

  it('encodes reactions and callback answers', () => {
    const [r] = encodeTelegram(cmd({ message: { type: 'reaction', text: '\u{1F44D}' }, replyToMessageId: '123456789:1365' }));
    expect(r).toMatchObject({ path: '/setMessageReaction', body: { chat_id: '123456789', message_id: 1365, reaction: [{ type: 'emoji', emoji: '\u{1F44D}' }] } });
    expect(encodeTelegramCallbackAnswer('4382bfdwdsb323b2d9').body).toEqual({ callback_query_id: '4382bfdwdsb323b2d9' });
  });

  it('refuses templates and empty commands', () => {
    expect(() => encodeTelegram(cmd({ message: { template: { name: 't', language: 'en', params: [] } } }))).toThrow(ValidationError);
    expect(() => encodeTelegram(cmd({ message: { type: 'text' } }))).toThrow(/nothing to send/);
  });
});
