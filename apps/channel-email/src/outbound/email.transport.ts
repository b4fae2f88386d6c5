import { FatalError, OutboundCommand, OmniError, RetryableError } from '@omni/contracts';
import { encodeEmail, mapSmtpError } from '@omni/channels';
import type { ChannelTransport, MediaStore } from '@omni/channel-kit';
import type { MailThreads } from '../threads/mail-thread.store';
import type { MailSender } from './mail-sender';
import type { MailboxLookup } from '../accounts/email-mailboxes';

export interface EmailTransportOptions {
  fromName: string;
}

/**
 * Replies by mail: threaded onto the customer's mail (In-Reply-To + its References + it, the
 * subject as "Re: …") from the thread facts stored at receipt, encoded by the lib (deterministic
 * Message-ID `<messageId@domain>` so bounces map back), sent through the relay, SMTP errors typed.
 * Each reply is from its conversation's mailbox (`accountId`, a connected mailbox, ADR 0600).
 */
export class EmailTransport implements ChannelTransport {
  readonly channel = 'email' as const;

  constructor(
    private readonly sender: MailSender,
    private readonly threads: MailThreads,
    private readonly mailboxes: MailboxLookup,
    private readonly options: EmailTransportOptions,
    /** The media store: attachments are attached from it, never fetched from a URL (ADR 0424). */
    private readonly store?: MediaStore,
  ) {}

  async send(cmd: OutboundCommand): Promise<{ providerMessageId?: string }> {
    const box = await this.mailboxes.mailbox(cmd.accountId);
    if (!box) throw new FatalError('unknown_account', `no tenant connected the mailbox ${cmd.accountId}`);
    const address = box.accountId;
    const thread = await this.threads.find(cmd.conversationId, cmd.replyToMessageId).catch((err: unknown) => {
      throw new RetryableError('store_unavailable', `thread lookup failed: ${(err as Error).message}`);
    });
    // The router does not know a mail was an out-of-office or a list mail; answering it starts a loop.
    if (thread?.autoReply && cmd.author.kind !== 'agent') {
      throw new FatalError('auto_reply_not_answered', `not answering an automatic mail (${thread.autoReply})`);
    }
    const { replyToMessageId: _ours, ...rest } = cmd;
    const message = encodeEmail(rest, {
      from: `"${this.options.fromName.replace(/["\\]/g, '')}" <${address}>`,
      messageIdDomain: address.split('@')[1],
    }, thread ? { subject: thread.subject, inReplyTo: thread.messageId, references: thread.references } : {});
    // Files come from the media store only: a URL would make the relay's sender fetch whatever an agent
    // (or anyone holding an agent key) names, internal addresses included (SSRF). The router refuses
    // such replies up front; a command that carries one anyway fails here, visibly.
    message.attachments = await Promise.all(message.attachments.map(async (a, i) => {
      const storeId = cmd.message.attachments[i]?.storeId;
      if (!storeId || !this.store) throw new FatalError('attachment_not_stored', `attachment ${i} is not in the media store; an email attaches uploaded files only`);
      const stored = await this.store.get(cmd.tenantId, storeId).catch((err: unknown) => {
        throw new RetryableError('store_unavailable', `media store read failed: ${(err as Error).message}`);
      });
      if (!stored) throw new FatalError('attachment_not_stored', `attachment ${i} (${storeId}) is no longer in the media store`);
      return { filename: a.filename ?? stored.filename, contentType: stored.mime, content: stored.content };
    }));
    try {
      const info = await this.sender.send(message);
      return { providerMessageId: (info.messageId || message.messageId).replace(/^<|>$/g, '') };
    } catch (err) {
      throw err instanceof OmniError ? err : mapSmtpError(err);
    }
  }
}
