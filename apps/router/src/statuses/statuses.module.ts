import { Module } from '@nestjs/common';
import { ApplyStatusUseCase } from './apply-status.use-case';
import { StatusesConsumer } from './statuses.consumer';

@Module({ providers: [ApplyStatusUseCase, StatusesConsumer] })
export class StatusesModule {}
