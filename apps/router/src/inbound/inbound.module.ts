import { Module } from '@nestjs/common';
import { AfterResolution } from './after-resolution';
import { ConversationOpening } from './conversation-opening';
import { CustomerReactions } from './customer-reactions';
import { InboundConsumer } from './inbound.consumer';
import { ReceiveInboundUseCase } from './receive-inbound.use-case';
import { TakeOver } from './take-over';

@Module({ providers: [AfterResolution, ConversationOpening, CustomerReactions, ReceiveInboundUseCase, InboundConsumer, TakeOver] })
export class InboundModule {}
