import type { KafkaMessage } from 'kafkajs';

/**
 * The batch's records grouped by key (= conversation), each group in offset order, groups in the
 * order of their first record. Records without a key form one group of their own: nothing says
 * they are independent, so they keep the partition's order among themselves.
 */
export function keyChains(messages: Pick<KafkaMessage, 'key'>[]): number[][] {
  const chains = new Map<string, number[]>();
  messages.forEach((m, i) => {
    const key = chainKey(m.key) ?? '-';
    const chain = chains.get(key);
    if (chain) chain.push(i);
    else chains.set(key, [i]);
  });
  return [...chains.values()];
}

/** A record's key as the chains (and the fresh lane) name it; undefined for a record without a key. */
export function chainKey(key: Buffer | null | undefined): string | undefined {
  // Prefixed so that a null key and an empty or literal 'null' key stay apart.
  return key === null || key === undefined ? undefined : `k${key.toString('latin1')}`;
}

/**
 * The commit frontier of one batch: records complete in any order, the frontier moves only over a
 * contiguous run of completed records from the start. `complete` returns the offset to resolve when
 * the frontier moved (the last record of the run), so the committed offset never passes a record
 * that is not done.
 */
export class CommitFrontier {
  private readonly done: boolean[];
  private next = 0;

  constructor(private readonly offsets: string[]) {
    this.done = offsets.map(() => false);
  }

  complete(index: number): string | undefined {
    if (index < 0 || index >= this.offsets.length) throw new RangeError(`no record ${index} in this batch`);
    this.done[index] = true;
    const before = this.next;
    while (this.next < this.offsets.length && this.done[this.next]) this.next++;
    return this.next > before ? this.offsets[this.next - 1] : undefined;
  }

  /** Records from the start that are all done. */
  get resolved(): number {
    return this.next;
  }
}

/** A counting semaphore with FIFO hand-over: at most `size` holders at a time. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots must be a positive integer, got ${size}`);
    this.free = size;
  }

  /** Resolves with the release function once a slot is held; release is idempotent. */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
