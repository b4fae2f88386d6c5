import { FatalError, OmniError, RetryableError } from '@omni/contracts';
import { isObject, optNum, optStr } from '../common/guards';

/**
 * A nodemailer/SMTP failure → typed error. SMTP says it in the reply code: 4xx is a temporary
 * refusal (greylisting, mailbox busy) worth retrying, 5xx is permanent. Connection-level errors
 * (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS) are retryable; EAUTH is a configuration problem.
 */
export function mapSmtpError(err: unknown): OmniError {
  const e = isObject(err) ? err : {};
  const responseCode = optNum(e.responseCode);
  const code = optStr(e.code) ?? 'unknown';
  const reason = optStr(e.response) ?? optStr(e.message) ?? String(err);
  const details = { provider: 'smtp', providerCode: responseCode !== undefined ? String(responseCode) : code, reason };
  if (code === 'EAUTH' || responseCode === 535 || responseCode === 530) return new FatalError('auth_failed', `SMTP authentication failed: ${reason}`, details);
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) return new RetryableError('smtp_temporary', `SMTP temporary failure: ${reason}`, undefined, details);
  if (responseCode !== undefined && responseCode >= 500) {
    const ours = responseCode === 550 || responseCode === 551 || responseCode === 553 ? 'recipient_rejected' : responseCode === 552 ? 'message_too_large' : 'smtp_rejected';
    return new FatalError(ours, `SMTP rejected the message: ${reason}`, details);
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return new FatalError('invalid_request', `mail not sendable: ${reason}`, details);
  return new RetryableError('smtp_unavailable', `SMTP unavailable (${code}): ${reason}`, undefined, details);
}
