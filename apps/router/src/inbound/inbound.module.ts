import { Module } from '@nestjs/common';
import { InboundConsumer } from './inbound.consumer';
import { ReceiveInboundUseCase } from './receive-inbound.use-case';

@Module({ providers: [ReceiveInboundUseCase, InboundConsumer] })
export class InboundModule {}
