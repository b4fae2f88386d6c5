import type { CustomerProfile, QueueEntry } from './model';

/** VIP first, then higher priority, then the longest waiting (age across overflows), then id for a total order. */
export function compareQueueEntries(a: QueueEntry, b: QueueEntry): number {
  if (a.vip !== b.vip) return a.vip ? -1 : 1;
  if (a.priority !== b.priority) return b.priority - a.priority;
  const age = a.firstQueuedAt.getTime() - b.firstQueuedAt.getTime();
  if (age !== 0) return age;
  return a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0;
}

export function orderQueue(entries: readonly QueueEntry[], groupId?: string): QueueEntry[] {
  return entries.filter((e) => groupId === undefined || e.groupId === groupId).sort(compareQueueEntries);
}

export function queueEntryFor(conversationId: string, groupId: string, customer: CustomerProfile, firstQueuedAt: Date): QueueEntry {
  return { conversationId, groupId, vip: customer.vip === true, priority: customer.priority ?? 0, firstQueuedAt };
}

/** The entries of `entry`'s group that are served before it (the entry itself excluded). */
export function entriesAhead(queue: readonly QueueEntry[], entry: QueueEntry): QueueEntry[] {
  return orderQueue(queue, entry.groupId).filter((e) => e.conversationId !== entry.conversationId && compareQueueEntries(e, entry) < 0);
}
