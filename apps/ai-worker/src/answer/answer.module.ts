import { Module } from '@nestjs/common';
import { AI_WORKER_CONFIG, AiWorkerConfig } from '../config';
import { NluModule } from '../nlu/nlu.module';
import { OpenAiCompatibleDrafter } from '../provider/openai-compatible.drafter';
import { ANSWER_DRAFTER } from './answer-drafter.port';
import { ANSWERER } from './answerer.port';
import { AnswerMessageUseCase } from './answer-message.use-case';
import { AnswerConsumer } from './answer.consumer';
import { NluAnswerer } from './nlu-answerer';

@Module({
  imports: [NluModule],
  providers: [
    { provide: ANSWERER, useClass: NluAnswerer },
    {
      // Only when configured: without AI_BASE_URL nothing leaves the process.
      provide: ANSWER_DRAFTER,
      inject: [AI_WORKER_CONFIG],
      useFactory: (c: AiWorkerConfig) =>
        c.AI_BASE_URL && c.AI_MODEL ? new OpenAiCompatibleDrafter({ baseUrl: c.AI_BASE_URL, apiKey: c.AI_API_KEY, model: c.AI_MODEL, timeoutMs: c.AI_TIMEOUT_MS }) : null,
    },
    AnswerMessageUseCase,
    AnswerConsumer,
  ],
})
export class AnswerModule {}
