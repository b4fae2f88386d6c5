import { Inject, Injectable } from '@nestjs/common';
import { CloudEvent, DeliveryStatus } from '@omni/contracts';
import { MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';

/** Folds a delivery status into the stored message; statuses only move forward. */
@Injectable()
export class ApplyStatusUseCase {
  constructor(@Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository) {}

  async execute(event: CloudEvent<DeliveryStatus>): Promise<void> {
    const s = event.data;
    const applied = await this.messages.applyStatus(
      s.messageId,
      { status: s.status, at: new Date(s.timestamp), ...(s.error ? { error: { code: s.error.code, reason: s.error.reason } } : {}) },
      s.channelMessageId,
    );
    // A stale or repeated status is fine; a message not stored yet is retried later.
    if (applied === 'missing') throw new Error(`status for unknown message ${s.messageId}`);
  }
}
