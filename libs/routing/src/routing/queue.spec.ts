import type { QueueEntry } from './model';
import { entriesAhead, orderQueue, queueEntryFor } from './queue';

const t = (minute: number) => new Date(Date.UTC(2026, 2, 2, 10, minute));
const e = (conversationId: string, minute: number, over: Partial<QueueEntry> = {}): QueueEntry => ({
  conversationId, groupId: 'g', vip: false, priority: 0, firstQueuedAt: t(minute), ...over,
});

describe('queue ordering', () => {
  it.each([
    ['age only', [e('b', 2), e('a', 1), e('c', 3)], ['a', 'b', 'c']],
    ['VIP before older', [e('old', 0), e('vip', 9, { vip: true })], ['vip', 'old']],
    ['priority before older, after VIP', [e('old', 0), e('p2', 8, { priority: 2 }), e('p1', 7, { priority: 1 }), e('vip', 9, { vip: true })], ['vip', 'p2', 'p1', 'old']],
    ['same age by id', [e('y', 1), e('x', 1)], ['x', 'y']],
    ['other groups left out', [e('a', 1), e('other', 0, { groupId: 'h' })], ['a']],
  ])('%s', (_name, entries, expected) => {
    expect(orderQueue(entries, 'g').map((x) => x.conversationId)).toEqual(expected);
  });

  it('finds who is ahead of a newcomer', () => {
    const queue = [e('a', 1), e('b', 2, { priority: 1 }), e('c', 3)];
    const newcomer = queueEntryFor('n', 'g', { id: 'cust', priority: 1 }, t(5));
    expect(entriesAhead(queue, newcomer).map((x) => x.conversationId)).toEqual(['b']);
    expect(entriesAhead(queue, queue[0]).map((x) => x.conversationId)).toEqual(['b']);
  });
});
