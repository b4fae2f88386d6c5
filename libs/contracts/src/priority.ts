import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Work done for a message the fresh lane took out of a backlog's turn (ADR 0012): the consumer runs
 * its handler inside `withPriority`, and what the handler awaits can ask `hasPriority()` — the write
 * batchers put such an item at the head of their queue. An async context, not a parameter: it
 * crosses the use cases and repositories between the consumer and the batcher untouched.
 */
const priority = new AsyncLocalStorage<true>();

export function withPriority<T>(work: () => Promise<T>): Promise<T> {
  return priority.run(true, work);
}

export function hasPriority(): boolean {
  return priority.getStore() === true;
}
