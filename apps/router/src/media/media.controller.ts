import { Controller, Get, Inject, Param, Post, Query, Req, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { NotFoundError, OmniError, ValidationError } from '@omni/contracts';
import { MEDIA_STORE, MediaStore, OpenedMedia, StoredMedia, mimeAllowed } from '@omni/persistence';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { readBody } from './read-body';
import { ReplyAttachments } from './reply-attachments';

/** A stored file as a response: its type and size; customers' files are untrusted content. */
function serve(media: OpenedMedia, storeId: string, res: Response): StreamableFile {
  res.setHeader('Content-Type', media.mime);
  res.setHeader('Content-Length', String(media.size));
  // Never sniffed, never run as a page of this origin, not kept by shared caches.
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cache-Control', 'private, max-age=300');
  res.setHeader('Content-Disposition', `${media.mime.startsWith('image/') ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(media.filename ?? storeId)}`);
  return new StreamableFile(media.stream);
}

/**
 * Stored attachments for agents (ADR 0424): what a customer sent, by the `storeId` of a stored
 * message's attachment, and uploads an agent's reply can reference. Any key of the tenant (agent or
 * admin); ids are scoped by the key's tenant, so another tenant's file is simply not found.
 */
@ApiTags('media')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/media')
export class MediaController {
  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  @Get(':storeId')
  @Requires('media.read')
  @ApiOperation({ summary: 'The bytes of a stored attachment, with its content type (another tenant’s id is 404)' })
  async get(@CallerOf() caller: Caller, @Param('storeId') storeId: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const media = await this.store.open(caller.tenantId, storeId);
    if (!media) throw new NotFoundError(`media ${storeId}`);
    return serve(media, storeId, res);
  }

  @Post()
  @Requires('media.upload')
  @ApiOperation({ summary: 'Upload a file (the raw bytes, with its Content-Type) for an agent reply; answers its storeId' })
  @ApiQuery({ name: 'filename', required: false })
  async upload(@CallerOf() caller: Caller, @Req() req: Request, @Query('filename') filename?: string): Promise<StoredMedia> {
    const mime = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(mime)) throw new ValidationError('the upload needs a Content-Type (type/subtype)');
    if (!mimeAllowed(mime, this.config.MEDIA_ALLOWED_TYPES)) throw new OmniError('unsupported_media_type', `type ${mime} is not in MEDIA_ALLOWED_TYPES`, false);
    if (filename !== undefined && (filename.length === 0 || filename.length > 255 || /[\r\n/\\]/.test(filename))) throw new ValidationError('filename: 1-255 characters, no path separators or line breaks');
    const content = await readBody(req, this.config.MEDIA_MAX_BYTES);
    if (content.length === 0) throw new ValidationError('empty upload');
    return this.store.put(caller.tenantId, content, { mime, ...(filename ? { filename } : {}), source: `upload:${caller.keyName}` });
  }
}

/**
 * Signed links for providers that fetch an agent's file by URL (ADR 0424): no API key, the link's
 * HMAC and expiry are the authorization; anything wrong is the same 404 as a missing file.
 */
@ApiTags('media')
@Controller('media-links')
export class MediaLinkController {
  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly attachments: ReplyAttachments,
  ) {}

  @Get(':tenantId/:storeId')
  @ApiOperation({ summary: 'A stored file by signed link (what providers fetch for an agent’s attachment)' })
  async get(
    @Param('tenantId') tenantId: string,
    @Param('storeId') storeId: string,
    @Query('exp') exp: string | undefined,
    @Query('sig') sig: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const links = this.attachments.mediaLinks;
    if (!links?.verify(tenantId, storeId, exp, sig)) throw new NotFoundError(`media ${storeId}`);
    const media = await this.store.open(tenantId, storeId);
    if (!media) throw new NotFoundError(`media ${storeId}`);
    return serve(media, storeId, res);
  }
}
