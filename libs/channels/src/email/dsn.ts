import { MailLike, bareId, messageIds } from './mail';

/** One per-recipient block of an RFC 3464 delivery status notification. */
export interface DsnRecipient {
  recipient: string;
  action: string;
  status?: string;
  diagnostic?: string;
}

export interface DeliveryReport {
  recipients: DsnRecipient[];
  /** Headers of the message that bounced (text/rfc822-headers or message/rfc822 part). */
  original: { messageId?: string; references: string[]; inReplyTo?: string };
}

export function isDeliveryReport(mail: MailLike): boolean {
  const ct = mail.headers.get('content-type');
  const value = typeof ct === 'object' && ct !== null ? (ct as { value?: unknown; params?: Record<string, string> }) : undefined;
  return value?.value === 'multipart/report' && (value.params?.['report-type'] ?? '').toLowerCase() === 'delivery-status';
}

/**
 * Reads a DSN. mailparser inlines the `message/delivery-status` part into `text` (some versions
 * keep it as an attachment), so both places are searched for the per-recipient fields.
 */
export function readDeliveryReport(mail: MailLike): DeliveryReport {
  const statusPart = mail.attachments.find((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType));
  const source = statusPart ? statusPart.content.toString('utf8') : (mail.text ?? '');
  const recipients = fieldBlocks(source)
    .filter((f) => f['final-recipient'] && f.action)
    .map((f) => ({
      recipient: f['final-recipient'].replace(/^[^;]*;\s*/, '').trim().toLowerCase(),
      action: f.action.toLowerCase(),
      status: f.status,
      diagnostic: f['diagnostic-code']?.replace(/^[^;]*;\s*/, ''),
    }));
  const headersPart = mail.attachments.find((a) => /^(text\/rfc822-headers|message\/rfc822|message\/global-headers)$/i.test(a.contentType));
  const headers = headersPart ? fieldBlocks(headersPart.content.toString('utf8'))[0] ?? {} : {};
  return {
    recipients,
    original: {
      messageId: headers['message-id'] ? bareId(headers['message-id']) : undefined,
      references: messageIds(headers.references),
      inReplyTo: messageIds(headers['in-reply-to'])[0],
    },
  };
}

/** RFC 822-style "Name: value" blocks separated by blank lines, continuation lines unfolded. */
function fieldBlocks(text: string): Record<string, string>[] {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split(/\n\s*\n/)
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const m = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
        if (m && fields[m[1].toLowerCase()] === undefined) fields[m[1].toLowerCase()] = m[2].trim();
      }
      return fields;
    });
}
