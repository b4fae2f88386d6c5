import { FatalError, OutboundCommand } from '@omni/contracts';
import { encodeTelegram } from '@omni/channels';
import { type ChannelTransport, MessageParts, type Pace, unpaced } from '@omni/channel-kit';
import type { TelegramBotLookup } from '../accounts/telegram-bots';
import type { ReplyTargets } from './reply-target';

export interface TelegramTransportOptions {
  /** Gap between the parts of one message (a long text, media + text) to the same chat: 1 msg/s per chat. */
  partGapMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Bot API sends: the lib's encoder turns the command into method calls (sendMessage, sendPhoto…,
 * inline keyboards), each goes out through the Bot API client with a hard timeout, and failures are
 * typed errors (429 with Telegram's retry_after, 5xx retryable; blocked/chat not found permanent).
 * Each command goes out through the client of its bot (`accountId`, the connected account's token).
 */
export class TelegramTransport implements ChannelTransport {
  readonly channel = 'telegram' as const;
  readonly pacesRequests = true;
  /** Parts already accepted per message, so an in-place retry after part 2 failed does not resend part 1. */
  private readonly parts = new MessageParts();

  constructor(
    private readonly bots: Pick<TelegramBotLookup, 'bot'>,
    private readonly replies: ReplyTargets,
    private readonly options: TelegramTransportOptions,
  ) {}

  /** Telegram limits per chat: the chat id is the recipient key of the rate limiter. */
  recipientKey(cmd: OutboundCommand): string {
    return cmd.recipient.channelUserId;
  }

  async send(cmd: OutboundCommand, pace: Pace = unpaced): Promise<{ providerMessageId?: string }> {
    const bot = await this.bots.bot(cmd.accountId);
    if (!bot) throw new FatalError('unknown_account', `no tenant connected the Telegram bot ${cmd.accountId}`);
    const quoted = await this.replies.providerIdOf(cmd);
    const { replyToMessageId: _ours, ...rest } = cmd;
    // Never quote by our own id: only a stored customer message's Telegram id (or nothing).
    const calls = encodeTelegram(quoted ? { ...rest, replyToMessageId: quoted } : rest);
    return this.parts.send(cmd.messageId, calls, async (req, i) => {
      if (i > 0) await sleep(this.options.partGapMs);
      const done = await pace();
      try {
        return providerId(cmd.recipient.channelUserId, await bot.api.call(req.path.replace(/^\//, ''), req.body));
      } finally {
        done(); // answered or failed: from now on the limiter counts it by its end
      }
    });
  }
}

/** A sent Message's id in our `<chat id>:<message id>` form (the decoder's form for inbound ones). */
function providerId(chatId: string, result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const id = (result as { message_id?: unknown }).message_id;
  return typeof id === 'number' ? `${chatId}:${id}` : undefined;
}
