import { Module } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { MEDIA_STORE, MediaStore, openMediaStore } from '@omni/persistence';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { MediaController, MediaLinkController } from './media.controller';
import { ReplyAttachments } from './reply-attachments';

/**
 * The media store as agents see it (ADR 0424): download by id, upload for replies, signed links for
 * providers; used by the agent API's replies and by erasure.
 */
@Module({
  controllers: [MediaController, MediaLinkController],
  providers: [
    ReplyAttachments,
    {
      provide: MEDIA_STORE,
      inject: [ROUTER_CONFIG, getConnectionToken()],
      useFactory: (config: RouterConfig, connection: Connection): MediaStore => openMediaStore(config, connection),
    },
  ],
  exports: [MEDIA_STORE, ReplyAttachments],
})
export class MediaModule {}
