import { Global, Module } from '@nestjs/common';
import { DefaultGroupDispatcher } from './default-group.dispatcher';
import { HandOffUseCase } from './hand-off.use-case';
import { QueueDispatcher } from './queue-dispatcher.port';

@Global()
@Module({
  providers: [HandOffUseCase, { provide: QueueDispatcher, useClass: DefaultGroupDispatcher }],
  exports: [HandOffUseCase, QueueDispatcher],
})
export class HandoffModule {}
