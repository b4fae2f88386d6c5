import { Attachment } from '@omni/contracts';
import { MessageContent } from '../common/decode';
import { JsonObject, arr, isObject, num, obj, optArr, optStr, str } from '../common/guards';

type Content = MessageContent;

const MEDIA_KIND = { image: 'image', audio: 'audio', voice: 'audio', video: 'video', document: 'document', sticker: 'sticker' } as const;

/** The type-specific part of one WhatsApp message; undefined for types we do not normalize. */
export function decodeWhatsAppContent(type: string, m: JsonObject, path: string): Content | undefined {
  switch (type) {
    case 'text':
      return { type: 'text', text: str(obj(m.text, `${path}.text`).body, `${path}.text.body`) };
    case 'image':
    case 'audio':
    case 'voice': // older API versions sent voice notes as their own type; now audio with voice: true
    case 'video':
    case 'document':
    case 'sticker':
      return media(type, obj(m[type], `${path}.${type}`), `${path}.${type}`);
    case 'location': {
      const l = obj(m.location, `${path}.location`);
      const location = { latitude: num(l.latitude, `${path}.location.latitude`), longitude: num(l.longitude, `${path}.location.longitude`), name: optStr(l.name), address: optStr(l.address) };
      return { type: 'location', location, text: location.name };
    }
    case 'contacts': {
      const contacts = arr(m.contacts, `${path}.contacts`).filter(isObject).map((c) => ({
        name: isObject(c.name) ? optStr(c.name.formatted_name) : undefined,
        phones: optArr(c.phones, `${path}.contacts.phones`).filter(isObject).map((p) => optStr(p.phone)).filter((p): p is string => !!p),
        emails: optArr(c.emails, `${path}.contacts.emails`).filter(isObject).map((p) => optStr(p.email)).filter((p): p is string => !!p),
      }));
      return { type: 'contact', contacts };
    }
    case 'interactive':
      return interactive(obj(m.interactive, `${path}.interactive`), `${path}.interactive`);
    case 'button': {
      // A quick-reply button of a template: no id of ours, the payload is what the template defined.
      const b = obj(m.button, `${path}.button`);
      const title = optStr(b.text);
      return { type: 'interactive', text: title, interactive: { kind: 'button', id: optStr(b.payload) ?? title ?? 'button', title }, meta: { templateButton: true } };
    }
    case 'reaction': {
      const r = obj(m.reaction, `${path}.reaction`);
      // Removing a reaction arrives as a reaction without emoji.
      const emoji = optStr(r.emoji) ?? '';
      return {
        type: 'reaction',
        reaction: { emoji, targetMessageId: str(r.message_id, `${path}.reaction.message_id`) },
        meta: emoji ? undefined : { reactionRemoved: true },
      };
    }
    default:
      return undefined; // 'unsupported', 'order', 'system', 'request_welcome'…: reported as ignored
  }
}

function media(type: keyof typeof MEDIA_KIND, o: JsonObject, path: string): Content {
  const attachment: Attachment = {
    kind: MEDIA_KIND[type],
    mime: optStr(o.mime_type) ?? 'application/octet-stream',
    mediaId: str(o.id, `${path}.id`),
    sha256: sha256Hex(o.sha256),
    filename: optStr(o.filename),
    caption: optStr(o.caption),
  };
  const voice = type === 'voice' || o.voice === true;
  const kind = type === 'voice' ? 'audio' : type;
  return { type: kind, text: attachment.caption, attachments: [attachment], meta: voice ? { voice: true } : undefined };
}

/** Meta sends the media hash base64-encoded; the contract (and every other channel) uses hex. */
function sha256Hex(v: unknown): string | undefined {
  const s = optStr(v);
  if (!s) return undefined;
  if (/^[a-f0-9]{64}$/i.test(s)) return s.toLowerCase();
  const bytes = Buffer.from(s, 'base64');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}

function interactive(i: JsonObject, path: string): Content | undefined {
  if (i.type === 'button_reply') {
    const r = obj(i.button_reply, `${path}.button_reply`);
    const title = optStr(r.title);
    return { type: 'interactive', text: title, interactive: { kind: 'button', id: str(r.id, `${path}.button_reply.id`), title } };
  }
  if (i.type === 'list_reply') {
    const r = obj(i.list_reply, `${path}.list_reply`);
    const title = optStr(r.title);
    const description = optStr(r.description);
    return { type: 'interactive', text: title, interactive: { kind: 'list', id: str(r.id, `${path}.list_reply.id`), title }, meta: description ? { description } : undefined };
  }
  return undefined; // nfm_reply (flows) and others: not normalized yet
}
