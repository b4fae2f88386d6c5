import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { Attachment, OutboundCommand, ValidationError } from '@omni/contracts';
import { MEDIA_STORE, MediaStore, isStoreId, mimeAllowed } from '@omni/persistence';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { MediaLinks } from './media-links';

const KINDS = ['image', 'audio', 'video', 'document', 'sticker', 'file'] as const;

/** An attachment of an agent's reply: a public https URL, or a file uploaded to `POST /v1/media`. */
export const ReplyAttachmentSchema = z.object({
  url: z.url({ protocol: /^https$/ }).max(2048).optional(),
  storeId: z.string().refine(isStoreId, 'a storeId answered by POST /v1/media').optional(),
  /** Required with `url`; taken from the store with `storeId`. */
  mime: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/).max(255).optional(),
  /** Default: from the type (image/*, audio/*, video/*; anything else is a document). */
  kind: z.enum(KINDS).optional(),
  filename: z.string().min(1).max(255).optional(),
  caption: z.string().max(1024).optional(),
}).strict().refine((a) => (a.url === undefined) !== (a.storeId === undefined), 'exactly one of url or storeId')
  .refine((a) => a.storeId !== undefined || a.mime !== undefined, 'mime is required with url');
export type ReplyAttachment = z.infer<typeof ReplyAttachmentSchema>;

const kindOf = (mime: string): Attachment['kind'] =>
  mime.startsWith('image/') ? 'image' : mime.startsWith('audio/') ? 'audio' : mime.startsWith('video/') ? 'video' : 'document';

/**
 * An agent's reply attachments as the ★ outbound command carries them (ADR 0424). A URL goes as it is
 * (the provider fetches it). A stored file must exist in the caller's tenant; it goes with its
 * `storeId` (linked-device WhatsApp sends the bytes from the store) and a signed link for the
 * providers that fetch media by URL (`url` is what the contract's attachment requires) — so store
 * files need MEDIA_LINK_BASE_URL and MEDIA_LINK_SECRET.
 */
@Injectable()
export class ReplyAttachments {
  private readonly links?: MediaLinks;

  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {
    if (config.MEDIA_LINK_BASE_URL && config.MEDIA_LINK_SECRET) {
      this.links = new MediaLinks({ baseUrl: config.MEDIA_LINK_BASE_URL, secret: config.MEDIA_LINK_SECRET, ttlMs: config.MEDIA_LINK_TTL_MS });
    }
  }

  get mediaLinks(): MediaLinks | undefined {
    return this.links;
  }

  async resolve(tenantId: string, input: ReplyAttachment[]): Promise<{ attachments: Attachment[]; type: OutboundCommand['message']['type'] }> {
    const attachments: Attachment[] = [];
    for (const [i, a] of input.entries()) {
      const extra = { ...(a.filename ? { filename: a.filename } : {}), ...(a.caption ? { caption: a.caption } : {}) };
      if (a.url) {
        const mime = a.mime as string;
        if (!mimeAllowed(mime, this.config.MEDIA_ALLOWED_TYPES)) throw new ValidationError('attachment type not allowed', [{ path: `attachments.${i}.mime`, message: `${mime} is not in MEDIA_ALLOWED_TYPES` }]);
        attachments.push({ kind: a.kind ?? kindOf(mime), mime, url: a.url, ...extra });
        continue;
      }
      const storeId = a.storeId as string;
      if (!this.links) {
        throw new ValidationError('stored files need MEDIA_LINK_BASE_URL and MEDIA_LINK_SECRET on the router (providers fetch media by URL)', [{ path: `attachments.${i}.storeId`, message: 'media links are not configured' }]);
      }
      const media = await this.store.open(tenantId, storeId);
      if (!media) throw new ValidationError('attachment not found', [{ path: `attachments.${i}.storeId`, message: `no stored file ${storeId}: upload it with POST /v1/media first` }]);
      media.stream.destroy(); // only its metadata is needed here
      attachments.push({
        kind: a.kind ?? kindOf(media.mime), mime: media.mime, size: media.size, sha256: storeId, storeId,
        url: this.links.sign(tenantId, storeId), ...(media.filename && !a.filename ? { filename: media.filename } : {}), ...extra,
      });
    }
    const first = attachments[0]?.kind;
    const type: OutboundCommand['message']['type'] = !first ? 'text' : first === 'file' ? 'document' : first;
    return { attachments, type };
  }
}
