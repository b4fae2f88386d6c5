import { Attachment, OutboundCommand, ValidationError, parseData } from '@omni/contracts';
import { splitText } from '../common/capabilities';
import { JSON_HEADERS, ProviderRequest } from '../common/request';
import { TELEGRAM_CAPABILITIES as CAPS } from './capabilities';

type Body = Record<string, unknown>;

/**
 * OutboundCommand → Bot API calls. Paths are the method only (`/sendMessage`): the transport
 * prefixes `${apiRoot}/bot<token>` (see telegramPath), so no token ever sits in a request
 * description. Text goes without parse_mode: MarkdownV2 rejects unescaped `.`, `-`, `!`…
 */
export function encodeTelegram(command: OutboundCommand): ProviderRequest[] {
  const cmd = parseData('omni.message.send.v1', command);
  const chatId = cmd.recipient.channelUserId;
  const calls = callsFor(cmd);
  const replyTo = cmd.replyToMessageId ? replyParameters(cmd.replyToMessageId) : undefined;
  return calls.map(([method, body], i) => ({
    method: 'POST',
    path: `/${method}`,
    headers: { ...JSON_HEADERS },
    body: { chat_id: chatId, ...(i === 0 && replyTo && method !== 'setMessageReaction' ? { reply_parameters: replyTo } : {}), ...body },
  }));
}

/** The full Bot API path of a method, for the transport only (it holds the token). */
export function telegramPath(token: string, method: string): string {
  return `/bot${token}/${method.replace(/^\//, '')}`;
}

/** Stops the loading spinner on the button the customer tapped (callbackQueryId from message meta). */
export function encodeTelegramCallbackAnswer(callbackQueryId: string, text?: string): ProviderRequest {
  return { method: 'POST', path: '/answerCallbackQuery', headers: { ...JSON_HEADERS }, body: { callback_query_id: callbackQueryId, ...(text ? { text: text.slice(0, 200) } : {}) } };
}

function callsFor(cmd: OutboundCommand): [string, Body][] {
  const { message } = cmd;
  if (message.template) throw new ValidationError('message templates are a WhatsApp feature; Telegram has no service window');
  if (message.type === 'reaction') {
    if (!cmd.replyToMessageId) throw new ValidationError('a reaction needs replyToMessageId (the message reacted to)');
    return [['setMessageReaction', { message_id: messageNumber(cmd.replyToMessageId), reaction: message.text ? [{ type: 'emoji', emoji: message.text }] : [] }]];
  }
  if (message.type === 'location' || message.type === 'contact') throw new ValidationError(`outbound ${message.type} messages are not supported on Telegram yet`);
  const text = message.text ?? '';
  const markup = message.buttons?.length ? keyboard(message.buttons) : undefined;
  const calls: [string, Body][] = [];
  const captionFits = text.length > 0 && text.length <= (CAPS.maxCaptionLength ?? 0);
  message.attachments.forEach((a, i) => calls.push(media(a, i === 0 && captionFits ? text : a.caption)));
  if (text && !(captionFits && message.attachments.length)) calls.push(...splitText(text, CAPS.maxTextLength).map((t): [string, Body] => ['sendMessage', { text: t }]));
  if (!calls.length) throw new ValidationError('nothing to send: no text or attachment');
  if (markup) calls[calls.length - 1][1].reply_markup = markup;
  return calls;
}

const METHOD = { image: ['sendPhoto', 'photo'], video: ['sendVideo', 'video'], audio: ['sendAudio', 'audio'], document: ['sendDocument', 'document'], file: ['sendDocument', 'document'], sticker: ['sendSticker', 'sticker'] } as const;

function media(a: Attachment, caption: string | undefined): [string, Body] {
  // OGG/Opus audio is a voice note in Telegram clients; anything else plays as a music track.
  const [method, field] = a.kind === 'audio' && /ogg|opus/i.test(a.mime) ? ['sendVoice', 'voice'] : METHOD[a.kind];
  // A file_id from an earlier upload or an HTTPS URL Telegram downloads itself.
  const body: Body = { [field]: a.mediaId ?? a.url };
  if (caption && method !== 'sendSticker') body.caption = caption;
  return [method, body];
}

function keyboard(buttons: { id: string; title: string }[]): Body {
  for (const b of buttons) {
    // callback_data is limited to 64 bytes, not characters.
    if (Buffer.byteLength(b.id, 'utf8') > 64) throw new ValidationError(`button id "${b.id.slice(0, 20)}…" exceeds Telegram's 64-byte callback_data`);
  }
  return { inline_keyboard: buttons.map((b) => [{ text: b.title, callback_data: b.id }]) };
}

/** Our Telegram message ids are `<chat id>:<message id>`; a bare number is accepted too. */
function messageNumber(id: string): number {
  const n = Number(id.split(':').pop());
  if (!Number.isInteger(n)) throw new ValidationError(`not a Telegram message id: ${id}`);
  return n;
}

function replyParameters(id: string): Body {
  // A reply to a message that was deleted meanwhile should still go out, just unquoted.
  return { message_id: messageNumber(id), allow_sending_without_reply: true };
}
