import { Attachment, FatalError, OutboundCommand, ValidationError, parseData } from '@omni/contracts';
import { splitText } from '../common/capabilities';
import { JSON_HEADERS, ProviderRequest } from '../common/request';
import { MESSENGER_CAPABILITIES as CAPS, canSendMessengerFreeText } from './capabilities';

export interface MessengerEncoderConfig {
  /** Graph API version, e.g. `v23.0`. */
  apiVersion: string;
}

export interface MessengerWindow {
  lastCustomerMessageAt: Date | undefined;
  now: Date;
}

type Message = Record<string, unknown>;
const ATTACHMENT_TYPE = { image: 'image', sticker: 'image', video: 'video', audio: 'audio', document: 'file', file: 'file' } as const;

/**
 * OutboundCommand → Send API `POST /{version}/me/messages` requests. The window decides
 * `messaging_type`: RESPONSE within 24 h; MESSAGE_TAG + HUMAN_AGENT for a human agent up to 7 days;
 * anything else is refused with a FatalError (Meta would answer 10/2018278 anyway).
 */
export function encodeMessenger(command: OutboundCommand, config: MessengerEncoderConfig, window: MessengerWindow): ProviderRequest[] {
  const cmd = parseData('omni.message.send.v1', command);
  const decision = canSendMessengerFreeText(window.lastCustomerMessageAt, window.now, cmd.author.kind);
  if (decision.kind === 'refused' || decision.kind === 'needs-template') throw new FatalError('outside_window', decision.reason);
  const typing = decision.kind === 'allowed' ? { messaging_type: 'RESPONSE' } : { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  return messagesFor(cmd).map((message) => ({
    method: 'POST',
    path: `/${config.apiVersion}/me/messages`,
    headers: { ...JSON_HEADERS },
    // `metadata` comes back on the message echo: how an echo is matched to our message id.
    body: { recipient: { id: cmd.recipient.channelUserId }, ...typing, message: { ...message, metadata: cmd.messageId } },
  }));
}

/**
 * How many Send API requests a command takes (a long text or several attachments are several), whatever
 * the window: a send of one request is reconcilable by its echo (ADR 0423), one of several is not — the
 * echo names the key of each part alike, not which part. Throws what `encodeMessenger` throws for content.
 */
export function messengerRequestCount(command: OutboundCommand): number {
  return messagesFor(parseData('omni.message.send.v1', command)).length;
}

/** The Send API's limit on `message.metadata` (our messageId rides in it, echoed back). */
export const MESSENGER_MAX_METADATA = 1_000;

function messagesFor(cmd: OutboundCommand): Message[] {
  const { message } = cmd;
  if (message.template) throw new ValidationError('message templates are a WhatsApp feature; Messenger sends free text within its window');
  if (message.type === 'reaction' || message.type === 'location' || message.type === 'contact') {
    throw new ValidationError(`outbound ${message.type} messages are not supported on Messenger`);
  }
  const out: Message[] = message.attachments.map(attachment);
  const parts = message.text ? splitText(message.text, CAPS.maxTextLength) : [];
  out.push(...parts.map((text) => ({ text })));
  const buttons = message.buttons ?? [];
  if (buttons.length) {
    if (buttons.length > CAPS.maxButtons) throw new ValidationError(`Messenger allows at most ${CAPS.maxButtons} quick replies`);
    const last = out[out.length - 1];
    if (!last || last.text === undefined) throw new ValidationError('quick replies need a text to attach to');
    // Quick replies hang off the last text; titles beyond 20 characters are cut by Messenger itself.
    last.quick_replies = buttons.map((b) => ({ content_type: 'text', title: b.title.slice(0, CAPS.maxButtonTitle), payload: b.id }));
  }
  if (!out.length) throw new ValidationError('nothing to send: no text or attachment');
  return out;
}

function attachment(a: Attachment): Message {
  const payload = a.mediaId ? { attachment_id: a.mediaId } : { url: a.url, is_reusable: true };
  return { attachment: { type: ATTACHMENT_TYPE[a.kind], payload } };
}
