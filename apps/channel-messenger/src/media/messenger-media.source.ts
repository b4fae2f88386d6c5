import { Inject, Injectable } from '@nestjs/common';
import { Attachment, FatalError } from '@omni/contracts';
import { MediaSource, MediaUrlGuard, fetchMedia } from '@omni/channel-kit';
import { MESSENGER_CONFIG, MessengerConfig } from '../config';

/**
 * Messenger puts a signed CDN URL in each attachment's payload (scontent-*.xx.fbcdn.net for images,
 * cdn.fbsbx.com for files), fetched without the page token. The URL is the sender's input as far as
 * we know, so only MESSENGER_MEDIA_HOSTS (and the API base URL) pass the SSRF guard.
 */
@Injectable()
export class MessengerMediaSource implements MediaSource {
  private readonly guard: MediaUrlGuard;

  constructor(@Inject(MESSENGER_CONFIG) private readonly config: MessengerConfig) {
    this.guard = new MediaUrlGuard({ providerBaseUrl: config.MESSENGER_API_BASE_URL, allowedHosts: config.MESSENGER_MEDIA_HOSTS });
  }

  async fetch(attachment: Attachment): Promise<{ content: Buffer; contentType?: string }> {
    if (!attachment.url) throw new FatalError('media_unavailable', 'Messenger attachment without a URL');
    return fetchMedia(attachment.url, { guard: this.guard, timeoutMs: this.config.MEDIA_FETCH_TIMEOUT_MS, maxBytes: this.config.MEDIA_MAX_BYTES });
  }
}
