import { Attachment, OutboundCommand, ValidationError, parseData } from '@omni/contracts';
import { splitText } from '../common/capabilities';
import { JSON_HEADERS, ProviderRequest } from '../common/request';
import { normalizeLanguage } from '../common/templates';
import { WHATSAPP_CAPABILITIES as CAPS } from './capabilities';

export interface WhatsAppEncoderConfig {
  /** Graph API version, e.g. `v23.0`. */
  apiVersion: string;
  phoneNumberId: string;
}

type Body = Record<string, unknown>;
const CAPTIONED = new Set(['image', 'video', 'document']);

/**
 * OutboundCommand → Graph API `POST /{version}/{phone-number-id}/messages` requests, in send order.
 * One command may need several requests (WhatsApp carries one media item per message, and text
 * beyond 4096 characters is split). `replyToMessageId` is the provider's id (wamid) to quote.
 * Run `planWhatsAppSend` first: this encoder does not know the 24-hour window.
 */
export function encodeWhatsApp(command: OutboundCommand, config: WhatsAppEncoderConfig): ProviderRequest[] {
  const cmd = parseData('omni.message.send.v1', command);
  const bodies = bodiesFor(cmd);
  return bodies.map((payload, i) => ({
    method: 'POST',
    path: `/${config.apiVersion}/${config.phoneNumberId}/messages`,
    headers: { ...JSON_HEADERS },
    body: {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: cmd.recipient.channelUserId,
      ...(i === 0 && cmd.replyToMessageId && payload.type !== 'reaction' ? { context: { message_id: cmd.replyToMessageId } } : {}),
      ...payload,
      // Meta echoes this on every status webhook of the message: how statuses find our message id.
      biz_opaque_callback_data: cmd.messageId,
    },
  }));
}

function bodiesFor(cmd: OutboundCommand): Body[] {
  const { message } = cmd;
  if (message.template) return [templateBody(message.template)];
  if (message.type === 'reaction') {
    if (!cmd.replyToMessageId) throw new ValidationError('a reaction needs replyToMessageId (the wamid reacted to)');
    return [{ type: 'reaction', reaction: { message_id: cmd.replyToMessageId, emoji: message.text ?? '' } }];
  }
  if (message.type === 'location' || message.type === 'contact') {
    throw new ValidationError(`outbound ${message.type} messages are not supported on WhatsApp yet`);
  }
  const text = message.text ?? '';
  const buttons = message.buttons ?? [];
  const out: Body[] = [];
  const captionFirst = buttons.length === 0 && message.attachments.length > 0 && CAPTIONED.has(message.attachments[0].kind) && text.length <= (CAPS.maxCaptionLength ?? 0);
  if (text && !captionFirst && buttons.length === 0) out.push(...splitText(text, CAPS.maxTextLength).map(textBody));
  message.attachments.forEach((a, i) => out.push(mediaBody(a, i === 0 && captionFirst ? text : undefined)));
  if (buttons.length) out.push(interactiveBody(text, buttons));
  if (!out.length) throw new ValidationError('nothing to send: no text, attachment, buttons or template');
  return out;
}

function textBody(body: string): Body {
  return { type: 'text', text: { body, preview_url: false } };
}

function mediaBody(a: Attachment, caption: string | undefined): Body {
  const type = a.kind === 'file' ? 'document' : a.kind;
  // Meta takes either an uploaded media id or a public https link, never both.
  const media: Body = a.mediaId ? { id: a.mediaId } : { link: a.url };
  const cap = caption ?? a.caption;
  if (cap && CAPTIONED.has(type)) media.caption = cap; // audio and stickers take no caption
  if (type === 'document' && a.filename) media.filename = a.filename;
  return { type, [type]: media };
}

function interactiveBody(text: string, buttons: { id: string; title: string }[]): Body {
  if (!text) throw new ValidationError('interactive messages need a body text');
  if (text.length > 1024) throw new ValidationError('interactive body text is limited to 1024 characters');
  // Reply buttons: at most 3, titles ≤ 20 characters; otherwise a list (≤ 10 rows, titles ≤ 24).
  if (buttons.length <= 3 && buttons.every((b) => b.title.length <= 20)) {
    return {
      type: 'interactive',
      interactive: { type: 'button', body: { text }, action: { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) } },
    };
  }
  const tooLong = buttons.find((b) => b.title.length > 24);
  if (tooLong) throw new ValidationError(`list row title "${tooLong.title}" exceeds 24 characters`);
  return {
    type: 'interactive',
    interactive: { type: 'list', body: { text }, action: { button: 'Options', sections: [{ title: 'Options', rows: buttons.map((b) => ({ id: b.id, title: b.title })) }] } },
  };
}

function templateBody(t: { name: string; language: string; params: string[] }): Body {
  const components = t.params.length ? [{ type: 'body', parameters: t.params.map((text) => ({ type: 'text', text })) }] : undefined;
  return { type: 'template', template: { name: t.name, language: { code: normalizeLanguage(t.language) }, ...(components ? { components } : {}) } };
}
