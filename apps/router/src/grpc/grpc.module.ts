import { Module } from '@nestjs/common';
import { ConversationGrpcController } from './conversation.grpc.controller';

/** The gRPC controller; its ConversationFeed comes from the global LiveModule. */
@Module({ controllers: [ConversationGrpcController] })
export class GrpcModule {}
