import { Global, Module } from '@nestjs/common';
import { QueueDispatcher } from '../handoff/queue-dispatcher.port';
import { AssignQueuedUseCase } from './assign-queued.use-case';
import { RoutingQueueDispatcher } from './queue.dispatcher';
import { RoutingDirectory } from './routing-directory';
import { SlotSweeper } from './slot-sweeper';

@Global()
@Module({
  providers: [RoutingDirectory, AssignQueuedUseCase, SlotSweeper, RoutingQueueDispatcher, { provide: QueueDispatcher, useExisting: RoutingQueueDispatcher }],
  exports: [RoutingDirectory, AssignQueuedUseCase, QueueDispatcher, RoutingQueueDispatcher],
})
export class RoutingModule {}
