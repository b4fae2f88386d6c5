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

/**
 * One document per account in `linked_device_cursors`; `$max` keeps it monotonic. Only the lease
 * holder writes an account's cursor (ADR 0421), and its writes go one at a time: FerretDB applies
 * `$max` as a read-modify-write, so two concurrent updates (two chats' messages) could let the older
 * value land last — its int-spec caught that. MongoDB would not need the queue; it costs nothing there.
 */
export class MongoCatchUpCursor implements CatchUpCursor {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly connection: Connection) {}

  private get cursors() {
    return this.connection.collection<CursorDoc>('linked_device_cursors');
  }

  async lastSeen(accountId: string): Promise<number | undefined> {
    return (await this.cursors.findOne({ _id: accountId }))?.lastSeen;
  }

  advance(accountId: string, timestamp: number): Promise<void> {
    const write = async () => {
      await this.cursors.updateOne({ _id: accountId }, { $max: { lastSeen: timestamp }, $set: { updatedAt: new Date() } }, { upsert: true });
    };
    const next = (this.queues.get(accountId) ?? Promise.resolve()).then(write, write);
    this.queues.set(accountId, next);
    void next.finally(() => {
      if (this.queues.get(accountId) === next) this.queues.delete(accountId);
    }).catch(() => undefined);
    return next;
  }
}
