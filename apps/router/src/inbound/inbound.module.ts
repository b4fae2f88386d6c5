import { Module } from '@nestjs/common';
import { AfterResolution } from './after-resolution';
import { ConversationOpening } from './conversation-opening';
import { InboundConsumer } from './inbound.consumer';
import { ReceiveInboundUseCase } from './receive-inbound.use-case';

@Module({ providers: [AfterResolution, ConversationOpening, ReceiveInboundUseCase, InboundConsumer] })
export class InboundModule {}
