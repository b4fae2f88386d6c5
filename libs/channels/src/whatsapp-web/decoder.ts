import { Attachment, DeliveryStatus, InboundMessage } from '@omni/contracts';
import { DecodeContext, MessageContent, buildInbound, buildStatus, resolveScope } from '../common/decode';

/**
 * The parts of a whatsapp-web.js `Message` (and `Reaction`) the decoder reads. The library hands us
 * live objects; the manager passes them here as they are, and tests build them as plain objects.
 */
export interface WebMessageLike {
  id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  from: string;
  to: string;
  type: string;
  body: string;
  /** Unix seconds. */
  timestamp: number;
  fromMe: boolean;
  hasMedia: boolean;
  isStatus?: boolean;
  location?: { latitude: number | string; longitude: number | string; description?: string; name?: string; address?: string };
  vCards?: string[];
  selectedButtonId?: string;
  selectedRowId?: string;
  _data?: { notifyName?: string; mimetype?: string; filename?: string; size?: number; caption?: string; quotedStanzaID?: string; isForwarded?: boolean };
}

export interface WebReactionLike {
  id: { id: string; _serialized: string };
  msgId: { id: string; remote: string; _serialized: string };
  reaction: string;
  senderId: string;
  timestamp: number;
}

export type WebDecoded = { message: InboundMessage } | { ignored: string };

/** WhatsApp ack levels (whatsapp-web.js MessageAck). */
const ACK: Record<number, DeliveryStatus['status'] | undefined> = { [-1]: 'failed', 0: undefined, 1: undefined, 2: 'delivered', 3: 'read', 4: 'read' };

const MEDIA: Record<string, { type: MessageContent['type']; kind: Attachment['kind']; fallbackMime: string; voice?: boolean }> = {
  image: { type: 'image', kind: 'image', fallbackMime: 'image/jpeg' },
  video: { type: 'video', kind: 'video', fallbackMime: 'video/mp4' },
  audio: { type: 'audio', kind: 'audio', fallbackMime: 'audio/ogg' },
  ptt: { type: 'audio', kind: 'audio', fallbackMime: 'audio/ogg; codecs=opus', voice: true },
  document: { type: 'document', kind: 'document', fallbackMime: 'application/octet-stream' },
  sticker: { type: 'sticker', kind: 'sticker', fallbackMime: 'image/webp' },
};

/**
 * The customer's id as the Cloud API names it (the phone number, `16505551234`), so a number that
 * moves between modes keeps its conversations; privacy ids (`…@lid`) are kept whole.
 */
export function webUserId(jid: string): string | undefined {
  if (jid.endsWith('@c.us')) return jid.slice(0, -'@c.us'.length);
  if (jid.endsWith('@lid')) return jid;
  return undefined; // groups (@g.us), status@broadcast, newsletters, …
}

/** The chat id to send to for a customer id made by webUserId. */
export function webChatId(channelUserId: string): string {
  return channelUserId.includes('@') ? channelUserId : `${channelUserId}@c.us`;
}

/**
 * One incoming linked-device message → the ★ inbound contract, like the Cloud API decoder: same
 * types, the customer's number as channelUserId and thread, the stanza id as channelMessageId (so a
 * quote's `quotedStanzaID` is its replyToId and the event id is deterministic).
 */
export function decodeWhatsAppWebMessage(msg: WebMessageLike, ctx: DecodeContext, accountId: string): WebDecoded {
  if (msg.fromMe) return { ignored: 'our own message' };
  if (msg.isStatus || msg.from === 'status@broadcast') return { ignored: 'status update' };
  const user = webUserId(msg.from);
  if (!user) return { ignored: `chat ${msg.from} is not a one-to-one chat` };
  const content = webContent(msg);
  if (!content) return { ignored: `message type ${msg.type} is not supported` };
  const scope = resolveScope(ctx, 'whatsapp', accountId);
  if (!scope) return { ignored: `unknown account ${accountId}` };
  const meta = { ...content.meta, ...(msg._data?.isForwarded ? { forwarded: true } : {}), linkedDevice: true };
  return {
    message: buildInbound(scope, user, { channelUserId: user, displayName: msg._data?.notifyName || undefined }, {
      ...content,
      channelMessageId: msg.id.id,
      timestamp: new Date(msg.timestamp * 1000).toISOString(),
      replyToId: msg._data?.quotedStanzaID || undefined,
      meta,
    }),
  };
}

export function decodeWhatsAppWebReaction(r: WebReactionLike, ctx: DecodeContext, accountId: string): WebDecoded {
  const user = webUserId(r.senderId);
  if (!user) return { ignored: `reaction in ${r.senderId}` };
  const scope = resolveScope(ctx, 'whatsapp', accountId);
  if (!scope) return { ignored: `unknown account ${accountId}` };
  return {
    message: buildInbound(scope, user, { channelUserId: user }, {
      type: 'reaction',
      channelMessageId: r.id.id,
      timestamp: new Date(r.timestamp * 1000).toISOString(),
      reaction: { emoji: r.reaction, targetMessageId: r.msgId.id },
      meta: r.reaction ? { linkedDevice: true } : { linkedDevice: true, reactionRemoved: true },
    }),
  };
}

/**
 * An ack of one of our messages → a delivery status. `messageId` is the provider id here; the app
 * maps it to ours through the send ledger (as for Cloud API statuses without callback data).
 * Ack 1 (server) is the `sent` the sender already reported.
 */
export function decodeWhatsAppWebAck(msg: WebMessageLike, ack: number, ctx: DecodeContext, accountId: string): DeliveryStatus | { ignored: string } {
  const status = ACK[ack];
  if (!status) return { ignored: `ack ${ack} is not a delivery state` };
  const user = webUserId(msg.to);
  if (!msg.fromMe || !user) return { ignored: 'ack of a message we did not send' };
  const scope = resolveScope(ctx, 'whatsapp', accountId);
  if (!scope) return { ignored: `unknown account ${accountId}` };
  return buildStatus(scope, user, {
    messageId: msg.id.id,
    channelMessageId: msg.id.id,
    status,
    timestamp: (ctx.now?.() ?? new Date()).toISOString(),
    error: status === 'failed' ? { code: 'ack_error', reason: 'WhatsApp reported the message as not sent (ack -1)', retryable: false } : undefined,
  });
}

function webContent(msg: WebMessageLike): MessageContent | undefined {
  const media = MEDIA[msg.type];
  if (media) {
    const caption = msg._data?.caption || (msg.type !== 'document' && msg.body ? msg.body : undefined) || undefined;
    const attachment: Attachment = {
      kind: media.kind,
      mime: msg._data?.mimetype || media.fallbackMime,
      // whatsapp-web.js downloads through the live message; its serialized id names it.
      mediaId: msg.id._serialized,
      size: msg._data?.size,
      filename: msg._data?.filename,
      caption,
    };
    return { type: media.type, text: caption, attachments: [attachment], meta: media.voice ? { voice: true } : undefined };
  }
  switch (msg.type) {
    case 'chat':
      return { type: 'text', text: msg.body };
    case 'location': {
      const l = msg.location;
      if (!l) return undefined;
      const name = l.name ?? l.description;
      return { type: 'location', text: name, location: { latitude: Number(l.latitude), longitude: Number(l.longitude), name, address: l.address } };
    }
    case 'vcard':
    case 'multi_vcard':
      return { type: 'contact', contacts: (msg.vCards?.length ? msg.vCards : [msg.body]).map(vcardContact) };
    case 'buttons_response':
    case 'template_button_reply':
      return { type: 'interactive', text: msg.body, interactive: { kind: 'button', id: msg.selectedButtonId ?? msg.body, title: msg.body } };
    case 'list_response':
      return { type: 'interactive', text: msg.body, interactive: { kind: 'list', id: msg.selectedRowId ?? msg.body, title: msg.body } };
    default:
      return undefined; // revoked, call_log, e2e_notification, ciphertext ("waiting for this message")…
  }
}

/** The name and numbers of one vCard (RFC 6350 FN and TEL lines; folded lines unfolded first). */
function vcardContact(card: string): { name?: string; phones: string[]; emails: string[] } {
  const lines = card.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const values = (prop: string) => lines.filter((l) => new RegExp(`^(item\\d+\\.)?${prop}[;:]`, 'i').test(l)).map((l) => l.slice(l.indexOf(':') + 1).trim()).filter(Boolean);
  return { name: values('FN')[0], phones: values('TEL'), emails: values('EMAIL') };
}
