import { FatalError, OutboundCommand, RetryableError } from '@omni/contracts';
import { webChatId } from '@omni/channels';
import { type ChannelTransport, type MediaStore, type Pace, sendPaced } from '@omni/channel-kit';
import type { SendContextReader } from '../outbound/conversation-context';
import type { LinkedDeviceManager } from './linked-device.manager';
import type { WebClientFactory } from './web-client';

/**
 * Sends through an account's whatsapp-web.js client, as the phone itself would: no 24-hour window
 * and no templates (a template command sends its parameters as text), buttons as a numbered list
 * (whatsapp-web.js's Buttons are no longer delivered by WhatsApp), attachments only from our media
 * store (never fetched from a URL here). The provider id is the stanza id, like inbound ones.
 */
export class LinkedDeviceTransport implements ChannelTransport {
  readonly channel = 'whatsapp' as const;

  constructor(
    private readonly manager: LinkedDeviceManager,
    private readonly factory: Pick<WebClientFactory, 'media'>,
    private readonly store: MediaStore,
    private readonly context: SendContextReader,
    /** WHATSAPP_WEB_SEND_TIMEOUT_MS: how long one client.sendMessage may take. */
    private readonly sendTimeoutMs: number,
  ) {}

  /**
   * One whatsapp-web.js send, bounded: past the timeout the send fails for good. whatsapp-web.js
   * has no way to cancel a send in the page, so the message may still go out; a retry could
   * deliver it twice, hence a FatalError (the ledger records it failed, the status says why).
   */
  private async bounded<T>(send: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FatalError(
        'linked_device_send_timeout',
        `whatsapp-web.js did not confirm the send in ${this.sendTimeoutMs} ms; it may still reach the customer, so it is not retried`,
      )), this.sendTimeoutMs);
    });
    // The losing send must not become an unhandled rejection later.
    send.catch(() => undefined);
    try {
      return await Promise.race([send, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  async send(cmd: OutboundCommand): Promise<{ providerMessageId?: string }> {
    const client = this.manager.client(cmd);
    const chatId = webChatId(cmd.recipient.channelUserId);
    const ctx = await this.context.read(cmd);
    const quotedMessageId = ctx.replyToProviderId ? `false_${chatId}_${ctx.replyToProviderId}` : undefined;
    const m = cmd.message;
    const buttons = m.buttons?.length ? `\n\n${m.buttons.map((b, i) => `${i + 1}. ${b.title}`).join('\n')}` : '';
    const text = ((m.text ?? (m.template ? m.template.params.join('\n') : '')) + buttons).trim();
    let last: { id: { id: string } } | undefined;
    try {
      for (const [i, a] of m.attachments.entries()) {
        if (!a.storeId) throw new FatalError('unsupported_attachment', 'linked-device sends attachments from the media store only (storeId)');
        const media = await this.store.get(cmd.tenantId, a.storeId);
        if (!media) throw new FatalError('media_not_found', `media ${a.storeId} is not in the store`);
        const caption = i === 0 && text ? text : a.caption;
        last = await this.bounded(client.sendMessage(chatId, this.factory.media(media.mime, media.content.toString('base64'), media.filename), { caption, quotedMessageId: i === 0 ? quotedMessageId : undefined }));
      }
      if (text && !m.attachments.length) last = await this.bounded(client.sendMessage(chatId, text, { quotedMessageId }));
    } catch (err) {
      if (err instanceof FatalError || err instanceof RetryableError) throw err;
      // The page or the browser went away mid-send: the ledger turns a redelivery into send_outcome_unknown.
      throw new RetryableError('linked_device_send_failed', `whatsapp-web.js: ${(err as Error).message}`);
    }
    if (!last) throw new FatalError('nothing_to_send', 'no text or attachment');
    return { providerMessageId: last.id.id };
  }
}

/** Linked-device accounts through their client, every other account through the Cloud API. */
export class AccountRoutingTransport implements ChannelTransport {
  readonly channel = 'whatsapp' as const;

  constructor(
    private readonly cloud: ChannelTransport,
    private readonly linked: ChannelTransport,
    private readonly isLinked: (accountId: string) => boolean,
  ) {}

  readonly pacesRequests = true;

  /** A linked device echoes no key of ours: only Cloud API sends are reconciled. */
  reconcilable(cmd: OutboundCommand): boolean {
    return this.isLinked(cmd.accountId) ? (this.linked.reconcilable?.(cmd) ?? false) : (this.cloud.reconcilable?.(cmd) ?? false);
  }

  send(cmd: OutboundCommand, pace: Pace): Promise<{ providerMessageId?: string }> {
    return sendPaced(this.isLinked(cmd.accountId) ? this.linked : this.cloud, cmd, pace);
  }
}
