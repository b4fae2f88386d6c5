import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '@omni/contracts';
import { type DecodeResult, TelegramVerifier, decodeTelegramUpdate, encodeTelegramCallbackAnswer } from '@omni/channels';
import { MediaIngest, UnknownAccounts, publishDecoded } from '@omni/channel-kit';
import { EventPublisher } from '@omni/messaging';
import { rootLogger } from '@omni/telemetry';
import { TELEGRAM_CONFIG, TelegramConfig } from '../config';
import { TelegramMediaSource } from '../media/telegram-media.source';
import { type TelegramBot, TelegramBots } from '../accounts/telegram-bots';

export interface ReceiveUpdateCommand {
  rawBody: Buffer | undefined;
  /** X-Telegram-Bot-Api-Secret-Token as received. */
  secretToken: string | undefined;
  /** The bot the webhook URL names (`/webhooks/telegram/<botId>`); undefined for the env's bot (`/webhooks/telegram`). */
  botId?: string;
}

/**
 * One webhook update for the bot its URL names: check the secret token against that bot's stored
 * webhook secret, decode the update into the bot's tenant, and resolve only once its events are on
 * Kafka (the 200 tells Telegram the update is stored; anything else makes it redeliver). An update
 * for a bot nobody connected is counted and logged (once per bot), not produced, and answered 200
 * (redelivering it could not help).
 */
@Injectable()
export class ReceiveTelegramUpdateUseCase {
  private readonly log = rootLogger().child({ component: 'telegram-webhook' });
  private readonly unknown = new UnknownAccounts('telegram', this.log, 'webhook update for a Telegram bot no tenant connected (counted, not produced)');

  constructor(
    @Inject(TELEGRAM_CONFIG) private readonly config: TelegramConfig,
    private readonly bots: TelegramBots,
    private readonly publisher: EventPublisher,
    private readonly media: MediaIngest,
    private readonly mediaSource: TelegramMediaSource,
  ) {}

  async execute(cmd: ReceiveUpdateCommand): Promise<{ messages: number; statuses: number; ignored: number }> {
    const botId = cmd.botId ?? this.bots.defaultBotId;
    const bot = await this.bots.bot(botId);
    if (!bot) {
      this.reportUnknown(botId);
      return { messages: 0, statuses: 0, ignored: 1 };
    }
    new TelegramVerifier({ secretToken: bot.webhookSecret }).verify(cmd.secretToken);
    if (!cmd.rawBody?.length) throw new ValidationError('expected a JSON body (content-type application/json)');
    // Files are fetched and stored before the events are published (ADR 0420).
    const result = await this.media.storeAll(this.decode(cmd.rawBody, bot), this.mediaSource);
    if (result.ignored.length) this.log.info({ ignored: result.ignored }, 'update items not turned into events');
    // Not on Kafka: a 503 (publish_failed) makes Telegram redeliver.
    const published = await publishDecoded(this.publisher, result);
    this.answerCallbacks(result, bot);
    return { ...published, ignored: result.ignored.length };
  }

  private reportUnknown(botId: string): void {
    // The bot id comes from the URL: logged only when it looks like one (any other path logs once in all).
    this.unknown.seen(/^\d{1,20}$/.test(botId) ? botId : '(not a bot id)');
  }

  private decode(rawBody: Buffer, bot: TelegramBot): DecodeResult {
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody.toString('utf8'));
    } catch (err) {
      throw new ValidationError(`body is not JSON: ${(err as Error).message}`);
    }
    return decodeTelegramUpdate(payload, {
      tenantId: this.config.TENANT_ID,
      region: this.config.REGION,
      botId: bot.accountId,
      resolveAccount: (id) => (id === bot.accountId ? { accountId: id, tenantId: bot.tenantId } : undefined),
    });
  }

  /**
   * A tapped inline button spins until answerCallbackQuery. Best effort after the events are
   * stored: the webhook answer does not wait for it, and a failure only leaves the spinner a while.
   */
  private answerCallbacks(result: DecodeResult, bot: TelegramBot): void {
    for (const m of result.messages) {
      const id = m.message.meta?.callbackQueryId;
      if (typeof id !== 'string') continue;
      const req = encodeTelegramCallbackAnswer(id);
      bot.api.call('answerCallbackQuery', req.body).catch((err: unknown) => {
        this.log.warn({ code: (err as { code?: string }).code, msg: (err as Error).message }, 'answerCallbackQuery failed');
      });
    }
  }
}
