import { Inject, Injectable } from '@nestjs/common';
import { RetryableError, ValidationError } from '@omni/contracts';
import { type DecodeResult, TelegramVerifier, decodeTelegramUpdate, encodeTelegramCallbackAnswer, telegramBotId } from '@omni/channels';
import { MediaIngest, publishDecoded } from '@omni/channel-kit';
import { EventPublisher } from '@omni/messaging';
import { rootLogger } from '@omni/telemetry';
import { TELEGRAM_CONFIG, TelegramConfig } from '../config';
import { TelegramMediaSource } from '../media/telegram-media.source';
import { BOT_API, BotApi } from '../outbound/bot-api';

export interface ReceiveUpdateCommand {
  rawBody: Buffer | undefined;
  /** X-Telegram-Bot-Api-Secret-Token as received. */
  secretToken: string | undefined;
}

/**
 * One webhook update: check the secret token, decode the update, and resolve only once its events
 * are on Kafka (the 200 tells Telegram the update is stored; anything else makes it redeliver).
 */
@Injectable()
export class ReceiveTelegramUpdateUseCase {
  private readonly log = rootLogger().child({ component: 'telegram-webhook' });
  private readonly verifier: TelegramVerifier;
  private readonly botId: string;

  constructor(
    @Inject(TELEGRAM_CONFIG) private readonly config: TelegramConfig,
    @Inject(BOT_API) private readonly api: BotApi,
    private readonly publisher: EventPublisher,
    private readonly media: MediaIngest,
    private readonly mediaSource: TelegramMediaSource,
  ) {
    this.verifier = new TelegramVerifier({ secretToken: config.TELEGRAM_WEBHOOK_SECRET });
    this.botId = telegramBotId(config.TELEGRAM_BOT_TOKEN);
  }

  async execute(cmd: ReceiveUpdateCommand): Promise<{ messages: number; statuses: number; ignored: number }> {
    this.verifier.verify(cmd.secretToken);
    if (!cmd.rawBody?.length) throw new ValidationError('expected a JSON body (content-type application/json)');
    // Files are fetched and stored before the events are published (ADR 0420).
    const result = await this.media.storeAll(this.decode(cmd.rawBody), this.mediaSource);
    if (result.ignored.length) this.log.info({ ignored: result.ignored }, 'update items not turned into events');
    let published: { messages: number; statuses: number };
    try {
      published = await publishDecoded(this.publisher, result);
    } catch (err) {
      // Not on Kafka: a 503 makes Telegram redeliver, and the deterministic ids dedupe what got through.
      throw new RetryableError('publish_failed', `events not stored: ${(err as Error).message}`);
    }
    this.answerCallbacks(result);
    return { ...published, ignored: result.ignored.length };
  }

  private decode(rawBody: Buffer): DecodeResult {
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody.toString('utf8'));
    } catch (err) {
      throw new ValidationError(`body is not JSON: ${(err as Error).message}`);
    }
    return decodeTelegramUpdate(payload, {
      tenantId: this.config.TENANT_ID,
      region: this.config.REGION,
      botId: this.botId,
      resolveAccount: (id) => (id === this.botId ? { accountId: id } : undefined),
    });
  }

  /**
   * A tapped inline button spins until answerCallbackQuery. Best effort after the events are
   * stored: the webhook answer does not wait for it, and a failure only leaves the spinner a while.
   */
  private answerCallbacks(result: DecodeResult): void {
    for (const m of result.messages) {
      const id = m.message.meta?.callbackQueryId;
      if (typeof id !== 'string') continue;
      const req = encodeTelegramCallbackAnswer(id);
      this.api.call('answerCallbackQuery', req.body).catch((err: unknown) => {
        this.log.warn({ code: (err as { code?: string }).code, msg: (err as Error).message }, 'answerCallbackQuery failed');
      });
    }
  }
}
