import { DynamicModule, Module } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { BreakerRegistry } from '@omni/resilience';
import type { MediaEnv } from './media.config';
import { MediaIngest } from './media-ingest';
import { MEDIA_STORE, MediaStore, openMediaStore } from '@omni/persistence';

/** The media store and ingest of a channel app (needs PersistenceModule.forRoot for the connection). */
@Module({})
export class ChannelMediaModule {
  static forRoot(env: MediaEnv): DynamicModule {
    return {
      module: ChannelMediaModule,
      providers: [
        {
          provide: MEDIA_STORE,
          inject: [getConnectionToken()],
          useFactory: (connection: Connection): MediaStore => openMediaStore(env, connection),
        },
        {
          provide: MediaIngest,
          inject: [MEDIA_STORE],
          useFactory: (store: MediaStore) =>
            new MediaIngest({
              store,
              limits: { maxBytes: env.MEDIA_MAX_BYTES, allowedTypes: env.MEDIA_ALLOWED_TYPES },
              breakers: new BreakerRegistry(),
              // In the webhook's time: two quick tries, then 503 and the provider redelivers later.
              retry: { attempts: 2, baseDelayMs: 200, maxDelayMs: 1_000, maxRetryAfterMs: 2_000 },
              breaker: { timeout: env.MEDIA_FETCH_TIMEOUT_MS * 2 },
              deadlineMs: env.MEDIA_WEBHOOK_DEADLINE_MS,
              fetchesAtOnce: 8,
            }),
        },
      ],
      exports: [MEDIA_STORE, MediaIngest],
    };
  }
}
