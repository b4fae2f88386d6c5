import { Module } from '@nestjs/common';
import { RepliesConsumer } from './replies.consumer';
import { SendBotReplyUseCase } from './send-bot-reply.use-case';

@Module({ providers: [SendBotReplyUseCase, RepliesConsumer] })
export class RepliesModule {}
