import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { ConversationGrpcController } from './conversation.grpc.controller';

/** The gRPC controller; its ConversationFeed comes from the global LiveModule. */
@Module({ imports: [ApiModule], controllers: [ConversationGrpcController] })
export class GrpcModule {}
