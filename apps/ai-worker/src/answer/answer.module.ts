import { Module } from '@nestjs/common';
import { AI_WORKER_CONFIG, AiWorkerConfig } from '../config';
import { NluModule } from '../nlu/nlu.module';
import { drafterFromConfig } from '../provider/openai-compatible.drafter';
import { ANSWER_DRAFTER } from './answer-drafter.port';
import { ANSWERER } from './answerer.port';
import { AnswerMessageUseCase } from './answer-message.use-case';
import { AnswerConsumer } from './answer.consumer';
import { NluAnswerer } from './nlu-answerer';

@Module({
  imports: [NluModule],
  providers: [
    { provide: ANSWERER, useClass: NluAnswerer },
    { provide: ANSWER_DRAFTER, inject: [AI_WORKER_CONFIG], useFactory: (c: AiWorkerConfig) => drafterFromConfig(c) },
    AnswerMessageUseCase,
    AnswerConsumer,
  ],
})
export class AnswerModule {}
