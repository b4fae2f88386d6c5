import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { MESSAGE_REPOSITORY, MessageDoc, MessageRepository } from '@omni/persistence';
import { Breaker, createBreaker } from '@omni/resilience';
import type { WireMessage } from './protocol';

export function toWire(m: Pick<MessageDoc, '_id' | 'direction' | 'author' | 'text' | 'timestamp' | 'status'>): WireMessage {
  return {
    id: m._id,
    direction: m.direction,
    author: m.author.kind,
    text: m.text,
    timestamp: new Date(m.timestamp).toISOString(),
    ...(m.status ? { status: m.status } : {}),
  };
}

/** A conversation's history for a reconnecting widget, read through a breaker with a timeout. */
@Injectable()
export class HistoryService implements OnModuleDestroy {
  private readonly breaker: Breaker<[string, number], MessageDoc[]>;

  constructor(@Inject(MESSAGE_REPOSITORY) messages: MessageRepository) {
    this.breaker = createBreaker('mongodb:history', (id: string, limit: number) => messages.history(id, limit), { timeout: 3_000 });
  }

  async load(conversationId: string, limit: number): Promise<WireMessage[]> {
    return (await this.breaker.fire(conversationId, limit)).map(toWire);
  }

  onModuleDestroy(): void {
    this.breaker.shutdown();
  }
}
