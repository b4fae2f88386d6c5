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
  ) {}

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
        last = await client.sendMessage(chatId, this.factory.media(media.mime, media.content.toString('base64'), media.filename), { caption, quotedMessageId: i === 0 ? quotedMessageId : undefined });
      }
      if (text && !m.attachments.length) last = await client.sendMessage(chatId, text, { quotedMessageId });
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

  send(cmd: OutboundCommand, pace: Pace): Promise<{ providerMessageId?: string }> {
    return sendPaced(this.isLinked(cmd.accountId) ? this.linked : this.cloud, cmd, pace);
  }
}
