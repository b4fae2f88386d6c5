import { Module } from '@nestjs/common';
import { ANSWERER } from './answerer.port';
import { KeywordAnswerer } from './keyword-answerer';
import { AnswerMessageUseCase } from './answer-message.use-case';
import { AnswerConsumer } from './answer.consumer';

@Module({
  providers: [{ provide: ANSWERER, useClass: KeywordAnswerer }, AnswerMessageUseCase, AnswerConsumer],
})
export class AnswerModule {}
