import { createTransport } from 'nodemailer';
import type { EmailMessage } from '@omni/channels';
import type { EmailConfig } from '../config';

/** The relay as the transport sees it: one mail out, the relay's answer back (faked in unit tests). */
export interface MailSender {
  send(message: EmailMessage): Promise<{ messageId: string; response: string }>;
  close(): void;
}
export const MAIL_SENDER = Symbol('MAIL_SENDER');

/**
 * nodemailer's SMTP transport to SMTP_HOST: pooled connections, and every phase bounded
 * (connect, greeting, idle socket) so a stuck relay fails the send instead of holding it.
 */
export function nodemailerSender(c: Pick<EmailConfig, 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_SECURE' | 'SMTP_USER' | 'SMTP_PASS' | 'SMTP_TIMEOUT_MS'>): MailSender {
  const transport = createTransport({
    host: c.SMTP_HOST,
    port: c.SMTP_PORT,
    secure: c.SMTP_SECURE,
    ...(c.SMTP_USER && c.SMTP_PASS ? { auth: { user: c.SMTP_USER, pass: c.SMTP_PASS } } : {}),
    pool: true,
    maxConnections: 3,
    connectionTimeout: c.SMTP_TIMEOUT_MS,
    greetingTimeout: c.SMTP_TIMEOUT_MS,
    socketTimeout: c.SMTP_TIMEOUT_MS,
    disableFileAccess: true,
    // Attachments are bytes from the media store (EmailTransport); never let nodemailer fetch a URL.
    disableUrlAccess: true,
  });
  return {
    async send(message) {
      const info = (await transport.sendMail(message)) as { messageId: string; response: string };
      return { messageId: info.messageId, response: info.response };
    },
    close: () => transport.close(),
  };
}
