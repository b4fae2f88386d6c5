import { Inject, Injectable } from '@nestjs/common';
import { Attachment, FatalError, InboundMessage } from '@omni/contracts';
import { MediaSource, MediaUrlGuard, fetchMedia } from '@omni/channel-kit';
import { TELEGRAM_CONFIG, TelegramConfig } from '../config';
import { type TelegramBotLookup, TelegramBots } from '../accounts/telegram-bots';

interface TelegramFile {
  file_path?: unknown;
  file_size?: unknown;
}

/**
 * Bot API files: `getFile(file_id)` answers a `file_path`, downloaded from
 * `<TELEGRAM_API_ROOT>/file/bot<token>/<file_path>` (valid for an hour; bots may download up to
 * 20 MB). Only the API root's origin and TELEGRAM_MEDIA_HOSTS pass the SSRF guard; the token in the
 * path is redacted from every error and log line.
 */
@Injectable()
export class TelegramMediaSource implements MediaSource {
  private readonly guard: MediaUrlGuard;

  constructor(
    @Inject(TELEGRAM_CONFIG) private readonly config: TelegramConfig,
    @Inject(TelegramBots) private readonly bots: TelegramBotLookup,
  ) {
    this.guard = new MediaUrlGuard({ providerBaseUrl: config.TELEGRAM_API_ROOT, allowedHosts: config.TELEGRAM_MEDIA_HOSTS });
  }

  async fetch(attachment: Attachment, message: InboundMessage): Promise<{ content: Buffer; contentType?: string }> {
    if (!attachment.mediaId) throw new FatalError('media_unavailable', 'Telegram attachment without a file_id');
    const c = this.config;
    // A file_id is valid only for the bot that received it: its own token downloads it.
    const bot = await this.bots.bot(message.accountId);
    if (!bot) throw new FatalError('media_unavailable', `no tenant connected the Telegram bot ${message.accountId}`);
    const file = (await bot.api.call('getFile', { file_id: attachment.mediaId })) as TelegramFile | undefined;
    if (typeof file?.file_path !== 'string' || !file.file_path) {
      throw new FatalError('media_unavailable', 'getFile answered no file_path (bots cannot download files over 20 MB)');
    }
    if (typeof file.file_size === 'number' && file.file_size > c.MEDIA_MAX_BYTES) {
      throw new FatalError('media_too_large', `media of ${file.file_size} bytes exceeds the limit of ${c.MEDIA_MAX_BYTES} bytes`);
    }
    const path = file.file_path.split('/').map(encodeURIComponent).join('/');
    const url = await this.bots.fileUrl(message.accountId, path);
    if (!url) throw new FatalError('media_unavailable', `no tenant connected the Telegram bot ${message.accountId}`);
    return fetchMedia(url, { guard: this.guard, timeoutMs: c.MEDIA_FETCH_TIMEOUT_MS, maxBytes: c.MEDIA_MAX_BYTES });
  }
}
