import { Inject, Injectable } from '@nestjs/common';
import { Attachment, FatalError, InboundMessage } from '@omni/contracts';
import { MediaSource, MediaUrlGuard, fetchMedia } from '@omni/channel-kit';
import { WHATSAPP_CONFIG, WhatsAppConfig } from '../config';
import { WhatsAppAccounts, type WhatsAppAccessTokens } from '../accounts/whatsapp-accounts';

/** The media URL object Graph answers for `GET /{media-id}`. */
interface MediaInfo {
  url?: unknown;
  mime_type?: unknown;
  file_size?: unknown;
}

/**
 * Cloud API media: `GET /{version}/{media-id}?phone_number_id=…` answers a short-lived download URL
 * (lookaside.fbsbx.com), which is fetched with the same bearer token. Both go through the SSRF guard:
 * the Graph base URL and WHATSAPP_MEDIA_HOSTS are all that may be fetched. The token is the one of
 * the number the message came to (its connected account).
 */
@Injectable()
export class WhatsAppMediaSource implements MediaSource {
  private readonly guard: MediaUrlGuard;

  constructor(
    @Inject(WHATSAPP_CONFIG) private readonly config: WhatsAppConfig,
    @Inject(WhatsAppAccounts) private readonly tokens: WhatsAppAccessTokens,
  ) {
    this.guard = new MediaUrlGuard({ providerBaseUrl: config.WHATSAPP_API_BASE_URL, allowedHosts: config.WHATSAPP_MEDIA_HOSTS });
  }

  async fetch(attachment: Attachment, message: InboundMessage): Promise<{ content: Buffer; contentType?: string }> {
    if (!attachment.mediaId) throw new FatalError('media_unavailable', 'WhatsApp attachment without a media id');
    const c = this.config;
    const accessToken = await this.tokens.accessTokenFor(message.accountId);
    if (!accessToken) throw new FatalError('media_unavailable', `no access token for the WhatsApp phone number ${message.accountId}`);
    const opts = { guard: this.guard, headers: { authorization: `Bearer ${accessToken}` }, timeoutMs: c.MEDIA_FETCH_TIMEOUT_MS };
    const base = c.WHATSAPP_API_BASE_URL.replace(/\/+$/, '');
    const infoUrl = `${base}/${c.WHATSAPP_API_VERSION}/${encodeURIComponent(attachment.mediaId)}?phone_number_id=${encodeURIComponent(message.accountId)}`;
    const info = parseInfo((await fetchMedia(infoUrl, { ...opts, maxBytes: 64 * 1024 })).content);
    if (typeof info.file_size === 'number' && info.file_size > c.MEDIA_MAX_BYTES) {
      throw new FatalError('media_too_large', `media of ${info.file_size} bytes exceeds the limit of ${c.MEDIA_MAX_BYTES} bytes`);
    }
    if (typeof info.url !== 'string') throw new FatalError('media_unavailable', 'Graph media object without url');
    return fetchMedia(info.url, { ...opts, maxBytes: c.MEDIA_MAX_BYTES });
  }
}

function parseInfo(body: Buffer): MediaInfo {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object') return parsed;
  } catch {
    /* below */
  }
  throw new FatalError('media_unavailable', 'Graph media object is not JSON');
}
