import { Attachment } from '@omni/contracts';
import { MessageContent } from '../common/decode';
import { JsonObject, arr, isObject, num, obj, optNum, optStr, str } from '../common/guards';

/** The type-specific part of a Telegram Message; undefined for kinds we do not normalize (polls, dice…). */
export function telegramContent(m: JsonObject, path: string): MessageContent | undefined {
  const caption = optStr(m.caption);
  if (typeof m.text === 'string') {
    const command = commandOf(m);
    return { type: 'text', text: m.text, meta: command ? { command } : undefined };
  }
  if (Array.isArray(m.photo)) {
    // Telegram sends every size it generated, smallest first; the last one is the original.
    const sizes = arr(m.photo, `${path}.photo`);
    const largest = obj(sizes[sizes.length - 1], `${path}.photo[${sizes.length - 1}]`);
    return media('image', file(largest, 'image/jpeg', `${path}.photo`, 'image'), caption);
  }
  if (isObject(m.voice)) return { ...media('audio', file(m.voice, 'audio/ogg', `${path}.voice`, 'audio'), caption), meta: { voice: true } };
  if (isObject(m.audio)) return media('audio', file(m.audio, 'audio/mpeg', `${path}.audio`, 'audio'), caption);
  // An animation (GIF) also carries a `document` field for old clients: check it first.
  if (isObject(m.animation)) return { ...media('video', file(m.animation, 'video/mp4', `${path}.animation`, 'video'), caption), meta: { animation: true } };
  if (isObject(m.video)) return media('video', file(m.video, 'video/mp4', `${path}.video`, 'video'), caption);
  if (isObject(m.document)) return media('document', file(m.document, 'application/octet-stream', `${path}.document`, 'document'), caption);
  if (isObject(m.sticker)) {
    const s = m.sticker;
    const mime = s.is_animated === true ? 'application/x-tgsticker' : s.is_video === true ? 'video/webm' : 'image/webp';
    return { type: 'sticker', text: optStr(s.emoji), attachments: [file(s, mime, `${path}.sticker`, 'sticker')] };
  }
  if (isObject(m.location)) {
    // A venue also carries `location`; its title and address are the useful part.
    const venue = isObject(m.venue) ? m.venue : undefined;
    const location = { latitude: num(m.location.latitude, `${path}.location.latitude`), longitude: num(m.location.longitude, `${path}.location.longitude`), name: optStr(venue?.title), address: optStr(venue?.address) };
    return { type: 'location', location, text: location.name };
  }
  if (isObject(m.contact)) {
    const c = m.contact;
    const name = [optStr(c.first_name), optStr(c.last_name)].filter(Boolean).join(' ') || undefined;
    const emails = (optStr(c.vcard) ?? '').split(/\r?\n/).filter((l) => /^EMAIL[;:]/i.test(l)).map((l) => l.slice(l.indexOf(':') + 1).trim()).filter(Boolean);
    return { type: 'contact', contacts: [{ name, phones: [str(c.phone_number, `${path}.contact.phone_number`)], emails }] };
  }
  return undefined;
}

function media(type: 'image' | 'audio' | 'video' | 'document', attachment: Attachment, caption: string | undefined): MessageContent {
  return { type, text: caption, attachments: [{ ...attachment, caption }] };
}

function file(f: JsonObject, defaultMime: string, path: string, kind: Attachment['kind']): Attachment {
  // file_id is what getFile/send* need; it differs per bot, file_unique_id does not (not needed here).
  return { kind, mime: optStr(f.mime_type) ?? defaultMime, mediaId: str(f.file_id, `${path}.file_id`), size: optNum(f.file_size), filename: optStr(f.file_name) };
}

function commandOf(m: JsonObject): string | undefined {
  const entities = Array.isArray(m.entities) ? m.entities.filter(isObject) : [];
  const cmd = entities.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (!cmd || typeof m.text !== 'string') return undefined;
  // `/start@acme_bot` in groups: the bot's name is not part of the command.
  return m.text.slice(0, optNum(cmd.length) ?? 0).split('@')[0];
}
