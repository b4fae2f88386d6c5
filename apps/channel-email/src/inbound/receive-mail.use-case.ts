import { Inject, Injectable } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import { FatalError, OmniError, RetryableError, ValidationError } from '@omni/contracts';
import { type DecodeResult, type MailLike, decodeEmail, emailAttachmentBlobs, inboundEventId, mailAddresses } from '@omni/channels';
import { MediaIngest, type MediaSource, publishDecoded } from '@omni/channel-kit';
import { EventPublisher } from '@omni/messaging';
import { rootLogger } from '@omni/telemetry';
import { EMAIL_CONFIG, EmailConfig } from '../config';
import { MAIL_THREADS, MailThreadDoc, MailThreads } from '../threads/mail-thread.store';
import { MAIL_AUTHENTICATE, MailAuthenticate, SenderAuth, senderAuth } from './sender-auth';
import { EmailMailboxes, type Mailbox } from '../accounts/email-mailboxes';

export interface ReceiveMailCommand {
  /** The message as received in SMTP DATA (RFC 5322 bytes). */
  raw: Buffer;
  /**
   * SMTP envelope: MAIL FROM ('' for the null sender of bounces) and the accepted RCPT TOs. Mail read
   * over IMAP has no envelope: the delivering server already wrote Return-Path.
   */
  mailFrom?: string;
  rcptTo: string[];
  /** The SMTP client's address and HELO name, for SPF (IMAP mail has neither). */
  ip?: string;
  helo?: string;
}

/**
 * One mail for the connected mailboxes it was delivered to (RCPT TO; each goes to its mailbox's
 * tenant, ADR 0600): parse, decode (threading, quoted text stripped, auto-replies flagged,
 * DSN bounces → failed statuses), keep the thread facts replies need, and resolve only once the
 * events are on Kafka — the SMTP server answers 250 after this, 451 (try again) on a failure.
 */
@Injectable()
export class ReceiveMailUseCase {
  private readonly log = rootLogger().child({ component: 'email-inbound' });

  constructor(
    @Inject(EMAIL_CONFIG) private readonly config: EmailConfig,
    @Inject(MAIL_THREADS) private readonly threads: MailThreads,
    private readonly publisher: EventPublisher,
    private readonly media: MediaIngest,
    @Inject(MAIL_AUTHENTICATE) private readonly authenticate: MailAuthenticate,
    private readonly mailboxes: EmailMailboxes,
  ) {}

  async execute(cmd: ReceiveMailCommand): Promise<{ messages: number; statuses: number; ignored: number }> {
    const mail = await this.parse(cmd);
    const boxes: Mailbox[] = [];
    for (const rcpt of new Set(cmd.rcptTo.map((r) => r.toLowerCase()))) {
      const box = await this.mailboxes.mailbox(rcpt);
      if (box) boxes.push(box);
    }
    if (!boxes.length) throw new ValidationError('mail for no connected mailbox', [{ path: 'rcptTo', message: 'no connected mailbox' }]);
    const auth = await this.authenticated(cmd, mailAddresses(mail.from)[0]?.address ?? '');
    const total = { messages: 0, statuses: 0, ignored: 0 };
    for (const box of boxes) {
      const n = await this.deliver(mail, box, auth);
      total.messages += n.messages;
      total.statuses += n.statuses;
      total.ignored += n.ignored;
    }
    return total;
  }

  /** One mailbox's copy: decoded into its tenant, stored, threaded and published. */
  private async deliver(mail: MailLike, box: Mailbox, auth: SenderAuth): Promise<{ messages: number; statuses: number; ignored: number }> {
    const decoded = decodeEmail(mail, {
      tenantId: box.tenantId,
      region: this.config.REGION,
      mailbox: box.accountId,
      senderAuth: auth,
      resolveAccount: (mailbox) => (mailbox === box.accountId ? { accountId: mailbox, tenantId: box.tenantId } : undefined),
    });
    // The attachments came with the mail: stored under the same limits as fetched media (ADR 0420).
    const result = await this.media.storeAll(decoded, attachmentsOf(mail));
    if (result.ignored.length) this.log.info({ ignored: result.ignored }, 'mail not turned into events');
    try {
      await this.threads.record(threadDocs(result, mail));
      const published = await publishDecoded(this.publisher, result);
      return { ...published, ignored: result.ignored.length };
    } catch (err) {
      if (err instanceof OmniError && !err.retryable) throw err;
      // Not stored: 451 makes the sending MTA retry; deterministic ids dedupe what did get through.
      throw new RetryableError('publish_failed', `mail not stored: ${(err as Error).message}`);
    }
  }

  /** DKIM/SPF/DMARC/ARC on the bytes as received; a check that fails or times out verifies nobody. */
  private async authenticated(cmd: ReceiveMailCommand, from: string): Promise<SenderAuth> {
    try {
      const result = await this.authenticate(cmd.raw, { ip: cmd.ip, helo: cmd.helo, mailFrom: cmd.mailFrom });
      return senderAuth(result, from, this.config.EMAIL_TRUSTED_ARC_SEALERS);
    } catch (err) {
      this.log.warn({ msg: (err as Error).message }, 'sender authentication failed: the sender stays unverified');
      return { verified: false, result: 'temperror' };
    }
  }

  private async parse(cmd: ReceiveMailCommand): Promise<MailLike> {
    let mail: Awaited<ReturnType<typeof simpleParser>>;
    try {
      mail = await simpleParser(cmd.raw, { skipTextToHtml: true, skipHtmlToText: false });
    } catch (err) {
      throw new ValidationError(`mail cannot be parsed: ${(err as Error).message}`);
    }
    // We are the final hop, which is where Return-Path is written (RFC 5321 §4.4), replacing any a
    // previous hop left: it carries the envelope sender, and an empty one marks a bounce or another
    // mail that must not be answered.
    if (cmd.mailFrom !== undefined) mail.headers.set('return-path', `<${cmd.mailFrom}>`);
    return mail;
  }
}

function attachmentsOf(mail: MailLike): MediaSource {
  const blobs = new Map(emailAttachmentBlobs(mail).map((b) => [b.mediaId, b]));
  return {
    fetch: async (a) => {
      const blob = a.mediaId ? blobs.get(a.mediaId) : undefined;
      if (!blob) throw new FatalError('media_unavailable', `attachment ${a.mediaId ?? '?'} not in the mail`);
      return { content: blob.content };
    },
  };
}

function threadDocs(result: DecodeResult, mail: MailLike): MailThreadDoc[] {
  const references = bareIds(mail.references);
  return result.messages.map((m) => ({
    _id: inboundEventId(m),
    conversationId: m.conversationId,
    messageId: m.message.channelMessageId,
    references,
    subject: mail.subject?.slice(0, 998),
    autoReply: typeof m.message.meta?.autoReplyReason === 'string' ? m.message.meta.autoReplyReason : undefined,
    receivedAt: new Date(),
  }));
}

function bareIds(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(' ') : (value ?? '');
  return (joined.match(/<[^<>\s]+>/g) ?? []).map((id) => id.slice(1, -1));
}
