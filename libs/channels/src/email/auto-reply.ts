import { MailLike, addresses, headerText } from './mail';

/**
 * Mail that must never be answered automatically: answering an out-of-office or a newsletter
 * starts a loop between two robots. RFC 3834 `Auto-Submitted` (anything but `no`), Exchange's
 * `X-Auto-Response-Suppress`, `Precedence: bulk | junk | list | auto_reply`, list mail, and the
 * null sender (`Return-Path: <>`) of bounces all mean "do not reply".
 */
export function autoReplyReason(mail: MailLike): string | undefined {
  const auto = headerText(mail, 'auto-submitted');
  if (auto && auto.trim().toLowerCase() !== 'no') return `Auto-Submitted: ${auto.trim()}`;
  const suppress = headerText(mail, 'x-auto-response-suppress');
  if (suppress) return `X-Auto-Response-Suppress: ${suppress.trim()}`;
  const precedence = headerText(mail, 'precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `Precedence: ${precedence}`;
  if (headerText(mail, 'x-autoreply') || headerText(mail, 'x-autorespond')) return 'X-Autoreply';
  // mailparser folds every List-* header into one `list` entry.
  if (mail.headers.has('list') || mail.headers.has('list-id') || mail.headers.has('list-unsubscribe')) return 'mailing list';
  const returnPath = headerText(mail, 'return-path');
  if (returnPath !== undefined && /^\s*(<\s*>)?\s*$/.test(returnPath)) return 'null sender (Return-Path: <>)';
  const from = addresses(mail.from)[0]?.address?.toLowerCase() ?? '';
  if (/^(mailer-daemon|postmaster)@/.test(from)) return `sent by ${from}`;
  return undefined;
}
