import { Module } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DiskMediaStore, GridFsMediaStore, MEDIA_STORE } from '@omni/channel-kit';
import { AI_WORKER_CONFIG, AiWorkerConfig } from '../config';
import { NluModule } from '../nlu/nlu.module';
import { drafterFromConfig } from '../provider/openai-compatible.drafter';
import { transcriberFromConfig } from '../provider/openai-compatible.transcriber';
import { ANSWER_DRAFTER } from './answer-drafter.port';
import { ANSWERER } from './answerer.port';
import { AnswerMessageUseCase } from './answer-message.use-case';
import { AnswerConsumer } from './answer.consumer';
import { NluAnswerer } from './nlu-answerer';
import { TenantFallbacks } from './tenant-fallbacks';
import { TRANSCRIBER } from './transcriber.port';

@Module({
  imports: [NluModule],
  providers: [
    TenantFallbacks,
    { provide: ANSWERER, useClass: NluAnswerer },
    { provide: ANSWER_DRAFTER, inject: [AI_WORKER_CONFIG], useFactory: (c: AiWorkerConfig) => drafterFromConfig(c) },
    { provide: TRANSCRIBER, inject: [AI_WORKER_CONFIG], useFactory: (c: AiWorkerConfig) => transcriberFromConfig(c) },
    // The channel apps' media store (same MEDIA_STORE / MEDIA_DIR): voice notes are read from it by storeId.
    {
      provide: MEDIA_STORE,
      inject: [AI_WORKER_CONFIG, getConnectionToken()],
      useFactory: (c: AiWorkerConfig, connection: Connection) => (c.MEDIA_STORE === 'disk' ? new DiskMediaStore(c.MEDIA_DIR) : new GridFsMediaStore(connection)),
    },
    AnswerMessageUseCase,
    AnswerConsumer,
  ],
})
export class AnswerModule {}
