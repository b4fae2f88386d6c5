import { Module } from '@nestjs/common';
import { TOPICS } from '@omni/contracts';
import { MessagingModule } from '@omni/messaging';
import { PlatformModule } from '@omni/platform';
import { AnswerModule } from './answer/answer.module';
import { AI_WORKER_CONFIG, loadAiWorkerConfig } from './config';

@Module({
  imports: [
    PlatformModule.forRoot('ai-worker'),
    MessagingModule.forRoot({ clientId: 'ai-worker', topics: [TOPICS.aiRequest, TOPICS.aiResult] }),
    AnswerModule,
  ],
  providers: [{ provide: AI_WORKER_CONFIG, useFactory: loadAiWorkerConfig }],
})
export class AiWorkerModule {}
