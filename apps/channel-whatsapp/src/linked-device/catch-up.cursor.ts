import type { Connection } from 'mongoose';

/**
 * How far a linked-device account has read (ADR 0421, catch-up): the WhatsApp timestamp (Unix
 * seconds) of the newest customer message the gateway put on Kafka. After a reconnect, messages from
 * that second on are fetched from the chats; deterministic event ids make the overlap harmless.
 */
export interface CatchUpCursor {
  /** undefined: the account never received anything here (first pairing: no history is imported). */
  lastSeen(accountId: string): Promise<number | undefined>;
  /** Moves forward only: an older timestamp (a late retry, a caught-up message) never moves it back. */
  advance(accountId: string, timestamp: number): Promise<void>;
}
export const CATCH_UP_CURSOR = Symbol('CATCH_UP_CURSOR');

interface CursorDoc {
  _id: string;
  lastSeen: number;
  updatedAt: Date;
}

/** One document per account in `linked_device_cursors`; `$max` keeps it monotonic without a read. */
export class MongoCatchUpCursor implements CatchUpCursor {
  constructor(private readonly connection: Connection) {}

  private get cursors() {
    return this.connection.collection<CursorDoc>('linked_device_cursors');
  }

  async lastSeen(accountId: string): Promise<number | undefined> {
    return (await this.cursors.findOne({ _id: accountId }))?.lastSeen;
  }

  async advance(accountId: string, timestamp: number): Promise<void> {
    await this.cursors.updateOne({ _id: accountId }, { $max: { lastSeen: timestamp }, $set: { updatedAt: new Date() } }, { upsert: true });
  }
}
