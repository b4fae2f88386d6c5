import { FatalError, OutboundCommand } from '@omni/contracts';
import { MESSENGER_MAX_METADATA, encodeMessenger, mapMessengerError, messengerRequestCount } from '@omni/channels';
import { ChannelTransport, MessageParts, Pace, callProviderTraced, unpaced } from '@omni/channel-kit';
import type { MessengerConfig } from '../config';
import type { LastInboundReader } from './conversation-window';
import type { MessengerPageTokens } from '../accounts/messenger-accounts';

export type MessengerTransportConfig = Pick<
  MessengerConfig,
  'MESSENGER_API_BASE_URL' | 'MESSENGER_API_VERSION' | 'MESSENGER_HTTP_TIMEOUT_MS'
>;


/**
 * Send API calls (docs/adr/0400): the window picks `messaging_type` — RESPONSE within 24 h,
 * MESSAGE_TAG + HUMAN_AGENT for a human agent up to 7 days, refused otherwise — the lib's encoder
 * builds the requests, and each goes out with a hard timeout and the token of the command's Page
 * (`accountId`, its connected account's, ADR 0600) in a header.
 */
export class MessengerTransport implements ChannelTransport {
  readonly channel = 'messenger' as const;
  readonly pacesRequests = true;
  /** Parts already accepted per message, so an in-place retry does not resend them. */
  private readonly parts = new MessageParts();

  constructor(
    private readonly config: MessengerTransportConfig,
    private readonly window: LastInboundReader,
    private readonly tokens: MessengerPageTokens,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The Send API echoes our messageId (`message.metadata`) on the `message_echoes` webhook of a Page
   * that subscribes to it, which the webhook ingest records (ADR 0423): a send of one request is
   * reconciled by it; one of several (a split text, several attachments) is not — every part's echo
   * carries the same key, and an echo of one part does not say the others were taken.
   */
  reconcilable(cmd: OutboundCommand): boolean {
    if (cmd.messageId.length > MESSENGER_MAX_METADATA) return false;
    try {
      return messengerRequestCount(cmd) === 1;
    } catch {
      return false;
    }
  }

  async send(cmd: OutboundCommand, pace: Pace = unpaced): Promise<{ providerMessageId?: string }> {
    const pageAccessToken = await this.tokens.accessTokenFor(cmd.accountId);
    if (!pageAccessToken) throw new FatalError('unknown_account', `no tenant connected the Messenger page ${cmd.accountId} (or it has no access token)`);
    const lastCustomerMessageAt = await this.window.lastInboundAt(cmd);
    // Our replyToMessageId is our own id, not a mid: the Send API has no reply-to for pages anyway.
    const { replyToMessageId: _ours, ...rest } = cmd;
    const requests = encodeMessenger(rest, { apiVersion: this.config.MESSENGER_API_VERSION }, { lastCustomerMessageAt, now: this.now() });
    return this.parts.send(cmd.messageId, requests, async (req) => {
      const res = await callProviderTraced(req, pace, {
        span: 'messenger send', messageId: cmd.messageId, baseUrl: this.config.MESSENGER_API_BASE_URL, bearer: pageAccessToken,
        timeoutMs: this.config.MESSENGER_HTTP_TIMEOUT_MS, mapError: mapMessengerError,
      });
      return midOf(res.body);
    });
  }
}

/** `{ recipient_id, message_id }` is the documented success body. */
function midOf(body: unknown): string | undefined {
  const id = typeof body === 'object' && body !== null ? (body as { message_id?: unknown }).message_id : undefined;
  return typeof id === 'string' ? id : undefined;
}
