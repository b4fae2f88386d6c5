import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { ConversationFeed } from '../live/conversation-feed';
import { ConversationGrpcController } from './conversation.grpc.controller';

@Module({ imports: [ApiModule], controllers: [ConversationGrpcController], providers: [ConversationFeed], exports: [ConversationFeed] })
export class GrpcModule {}
