import { Module } from '@nestjs/common';
import { AfterResolution } from './after-resolution';
import { InboundConsumer } from './inbound.consumer';
import { ReceiveInboundUseCase } from './receive-inbound.use-case';

@Module({ providers: [AfterResolution, ReceiveInboundUseCase, InboundConsumer] })
export class InboundModule {}
