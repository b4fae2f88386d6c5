import { createHash } from 'node:crypto';
import { Attachment, DeliveryStatus, ValidationError } from '@omni/contracts';
import { DecodeContext, DecodeResult, MessageContent, Scope, buildInbound, buildStatus, emptyResult, resolveScope } from '../common/decode';
import { autoReplyReason } from './auto-reply';
import { isDeliveryReport, readDeliveryReport } from './dsn';
import { MailAttachment, MailLike, addresses, bareId, headerText, messageIds } from './mail';
import { htmlToText, stripReplyText } from './reply-text';

export interface EmailDecodeContext extends DecodeContext {
  /** The mailbox the mail was delivered to (SMTP envelope RCPT TO / IMAP account); default: first To. */
  mailbox?: string;
  /**
   * The channel's verdict on the From address (DKIM/SPF/DMARC/ARC, apps/channel-email
   * sender-auth.ts): carried as meta.senderVerified / meta.senderAuth; the router links a verified
   * contact only when senderVerified is true. Absent: unchecked, not verified.
   */
  senderAuth?: { verified: boolean; result: string };
}

const FULL_TEXT_META_LIMIT = 16_384;

/**
 * A parsed mail → one inbound message, or `failed` statuses for a bounce. The conversation is the
 * mail thread of one sender: its root is the first `References` id (RFC 5322 keeps the first one
 * when trimming), else `In-Reply-To`, else the mail's own Message-ID — keyed together with the
 * From address, so that knowing a thread's Message-ID never lets another sender write into it
 * (issue 15 #2). A mail that fails its domain's DMARC check is a conversation of its own.
 */
export function decodeEmail(mail: MailLike, ctx: EmailDecodeContext): DecodeResult {
  if (!mail || !(mail.headers instanceof Map)) throw new ValidationError('not a parsed mail: headers missing');
  const result = emptyResult();
  const mailbox = (ctx.mailbox ?? addresses(mail.to)[0]?.address ?? '').toLowerCase();
  if (!mailbox) throw new ValidationError('mail has no recipient mailbox');
  const scope = resolveScope(ctx, 'email', mailbox);
  if (!scope) return { ...result, ignored: [{ reason: `unknown mailbox ${mailbox}` }] };
  const id = mail.messageId ? bareId(mail.messageId) : derivedMessageId(mail);
  if (isDeliveryReport(mail)) {
    const statuses = bounceStatuses(mail, scope, id);
    return { ...result, statuses, ignored: statuses.length ? [] : [{ reason: 'delivery report without a final status (delayed)', ref: id }] };
  }
  const sender = addresses(mail.from)[0];
  if (!sender?.address) throw new ValidationError('mail has no From address');
  const from = sender.address.toLowerCase();
  // Our own outbound mail coming back (a forwarding rule, a CC to ourselves): answering it loops.
  if (from === mailbox || headerText(mail, 'x-loop')?.toLowerCase().includes(mailbox)) {
    return { ...result, ignored: [{ reason: 'mail from our own mailbox (loop)', ref: id }] };
  }
  const refs = messageIds(mail.references);
  const root = refs[0] ?? messageIds(mail.inReplyTo)[0] ?? id;
  const auth = ctx.senderAuth ?? { verified: false, result: 'unchecked' };
  const threadKey = senderThreadKey(from, auth.result.startsWith('dmarc=fail') ? id : root);
  const content = mailContent(mail);
  const autoReply = autoReplyReason(mail);
  result.messages.push(buildInbound(scope, threadKey, { channelUserId: from, displayName: sender.name || undefined, locale: headerText(mail, 'content-language') }, {
    ...content,
    channelMessageId: id,
    timestamp: (mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : new Date(0)).toISOString(),
    replyToId: messageIds(mail.inReplyTo)[0],
    meta: {
      ...content.meta,
      ...(mail.subject ? { subject: mail.subject.slice(0, 998) } : {}),
      senderVerified: auth.verified,
      senderAuth: auth.result,
      // Flagged, not dropped: the router stores it for agents but never answers it.
      ...(autoReply ? { autoReply: true, autoReplyReason: autoReply } : {}),
    },
  }));
  return result;
}

function mailContent(mail: MailLike): MessageContent {
  const full = mail.text?.trim() ? mail.text : mail.html ? htmlToText(mail.html) : '';
  const { text, stripped } = stripReplyText(full);
  const attachments = mail.attachments.filter((a) => !a.related).slice(0, 20).map(toAttachment);
  const first = attachments[0]?.kind;
  const type: MessageContent['type'] = text || !first ? 'text' : first === 'file' ? 'document' : first;
  const meta: Record<string, string | boolean> = {};
  // The quoted history is what the AI should not read, but agents may want it: kept, capped.
  if (stripped) Object.assign(meta, { quotedStripped: true, fullText: full.slice(0, FULL_TEXT_META_LIMIT) });
  return { type, text: text || undefined, attachments, meta };
}

/** Attachments are content-addressed: `sha256:<hex>` is the media-store key (see emailAttachmentBlobs). */
function toAttachment(a: MailAttachment): Attachment & { mediaId: string } {
  const sha256 = createHash('sha256').update(a.content).digest('hex');
  const major = a.contentType.split('/')[0].toLowerCase();
  const kind = major === 'image' || major === 'audio' || major === 'video' ? major : 'document';
  return { kind, mime: a.contentType, size: a.size, mediaId: `sha256:${sha256}`, sha256, filename: a.filename?.slice(0, 255) };
}

/** The bytes behind each attachment's mediaId, for the app to put into its media store. */
export function emailAttachmentBlobs(mail: MailLike): { mediaId: string; content: Buffer; mime: string }[] {
  return mail.attachments.filter((a) => !a.related).slice(0, 20).map((a) => ({ mediaId: toAttachment(a).mediaId, content: a.content, mime: a.contentType }));
}

function bounceStatuses(mail: MailLike, scope: Scope, dsnId: string): DeliveryStatus[] {
  const report = readDeliveryReport(mail);
  const original = report.original.messageId;
  if (!original) throw new ValidationError(`delivery report ${dsnId} does not include the original Message-ID`);
  const root = report.original.references[0] ?? report.original.inReplyTo ?? original;
  const timestamp = (mail.date ?? new Date(0)).toISOString();
  // Our outbound Message-ID is `<messageId@domain>` (see encodeEmail): its local part is our id.
  const messageId = original.slice(0, original.lastIndexOf('@') > 0 ? original.lastIndexOf('@') : undefined);
  return report.recipients
    .filter((r) => r.action === 'failed' || r.action === 'delivered')
    .map((r) =>
      // Our mail went to the customer's thread, which is keyed by their address (the recipient here).
      buildStatus(scope, senderThreadKey(r.recipient, root), {
        messageId,
        channelMessageId: original,
        status: r.action === 'failed' ? 'failed' : 'delivered',
        timestamp,
        error: r.action === 'failed' ? { code: r.status ?? '5.0.0', reason: `${r.recipient}: ${r.diagnostic ?? 'delivery failed'}`, retryable: false } : undefined,
      }),
    );
}

/** A thread belongs to one sender: its key is the address and the thread's root Message-ID. */
export function senderThreadKey(address: string, rootMessageId: string): string {
  return `${address.toLowerCase()} ${rootMessageId}`;
}

/** A mail without Message-ID still needs a stable id, so a redelivery dedupes. */
function derivedMessageId(mail: MailLike): string {
  const basis = [addresses(mail.from)[0]?.address, mail.date?.toISOString(), mail.subject, mail.text].join('\n');
  return `derived-${createHash('sha256').update(basis).digest('hex').slice(0, 32)}`;
}
