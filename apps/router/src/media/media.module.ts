import { Module } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { MEDIA_STORE, MediaStore, openMediaStore } from '@omni/persistence';
import { ApiModule } from '../api/api.module';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { MediaController } from './media.controller';

/** The media store as agents see it (ADR 0424): download by id, upload for replies; used by erasure too. */
@Module({
  imports: [ApiModule],
  controllers: [MediaController],
  providers: [
    {
      provide: MEDIA_STORE,
      inject: [ROUTER_CONFIG, getConnectionToken()],
      useFactory: (config: RouterConfig, connection: Connection): MediaStore => openMediaStore(config, connection),
    },
  ],
  exports: [MEDIA_STORE],
})
export class MediaModule {}
