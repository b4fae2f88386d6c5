import { OutboundCommand, ValidationError, parseData } from '@omni/contracts';
import { bareId } from './mail';

export interface EmailEncoderConfig {
  /** The mailbox we send from, e.g. `Acme Support <support@acme.test>`. */
  from: string;
  /** Right-hand side of our Message-IDs, e.g. `acme.test`. */
  messageIdDomain: string;
  defaultSubject?: string;
  /** Turns a media-store id into something nodemailer can attach (a URL or a file path). */
  resolveMedia?: (mediaId: string) => string;
}

/** The thread being answered, from the stored conversation. */
export interface EmailThread {
  subject?: string;
  /** Message-ID of the mail we answer (the customer's last one). */
  inReplyTo?: string;
  /** That mail's own References, oldest first. */
  references?: string[];
}

/** The nodemailer message options this encoder fills (a subset of nodemailer's `Mail.Options`). */
export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, string>;
  /** `path` (a URL nodemailer fetches) or, for a file of the media store, its bytes (`content`). */
  attachments: { filename?: string; contentType: string; path?: string; content?: Buffer }[];
}

/**
 * OutboundCommand → nodemailer message. The Message-ID is `<messageId@domain>`: deterministic (a
 * retried send carries the same id, which receiving servers and our bounce decoder both use) and
 * the reply keeps the thread via In-Reply-To + References (RFC 5322 §3.6.4).
 */
export function encodeEmail(command: OutboundCommand, config: EmailEncoderConfig, thread: EmailThread = {}): EmailMessage {
  const cmd = parseData('omni.message.send.v1', command);
  const { message } = cmd;
  if (message.template) throw new ValidationError('message templates are a WhatsApp feature; email has no service window');
  if (message.type === 'reaction' || message.type === 'location' || message.type === 'contact') throw new ValidationError(`outbound ${message.type} messages are not supported by email`);
  const options = (message.buttons ?? []).map((b, i) => `${i + 1}. ${b.title}`);
  const text = [message.text ?? '', ...(options.length ? ['', ...options] : [])].join('\n').trim();
  if (!text && message.attachments.length === 0) throw new ValidationError('nothing to send: no text or attachment');
  const inReplyTo = thread.inReplyTo ?? cmd.replyToMessageId;
  const references = [...(thread.references ?? []), ...(inReplyTo ? [inReplyTo] : [])].map(bareId).filter((v, i, all) => v && all.indexOf(v) === i);
  return {
    from: config.from,
    to: cmd.recipient.channelUserId,
    subject: replySubject(thread.subject ?? config.defaultSubject ?? 'Your message', Boolean(inReplyTo)),
    text,
    html: toHtml(text),
    messageId: `<${cmd.messageId}@${config.messageIdDomain}>`,
    ...(inReplyTo ? { inReplyTo: `<${bareId(inReplyTo)}>` } : {}),
    ...(references.length ? { references: references.map((r) => `<${r}>`) } : {}),
    // RFC 3834: automatic answers say so, so other robots (out-of-office, ticket systems) stay quiet.
    headers: cmd.author.kind === 'agent' ? {} : { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
    attachments: message.attachments.map((a) => {
      const path = a.url ?? (a.mediaId && config.resolveMedia ? config.resolveMedia(a.mediaId) : undefined);
      if (!path) throw new ValidationError(`attachment ${a.mediaId ?? ''} cannot be resolved: configure resolveMedia`);
      return { filename: a.filename, contentType: a.mime, path };
    }),
  };
}

function replySubject(subject: string, isReply: boolean): string {
  const clean = subject.replace(/[\r\n]+/g, ' ').trim();
  return isReply && !/^(re|aw|sv|res|rif)\s*:/i.test(clean) ? `Re: ${clean}` : clean;
}

function toHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return escaped.split(/\n{2,}/).map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`).join('\n');
}
