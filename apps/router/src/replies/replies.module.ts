import { Module } from '@nestjs/common';
import { RecentTurns } from './recent-turns';
import { RepliesConsumer } from './replies.consumer';
import { SendBotReplyUseCase } from './send-bot-reply.use-case';

@Module({ providers: [RecentTurns, SendBotReplyUseCase, RepliesConsumer] })
export class RepliesModule {}
