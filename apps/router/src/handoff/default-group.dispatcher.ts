import { Injectable } from '@nestjs/common';
import { QueueDispatcher } from './queue-dispatcher.port';

/** Until skill groups are configured: every handoff waits in the tenant's "default" queue. */
@Injectable()
export class DefaultGroupDispatcher extends QueueDispatcher {
  groupFor(): Promise<string> {
    return Promise.resolve('default');
  }

  dispatch(): Promise<void> {
    return Promise.resolve();
  }
}
