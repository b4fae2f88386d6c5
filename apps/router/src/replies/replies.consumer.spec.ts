import type { CloudEvent } from '@omni/contracts';
import { freshResultRank, isFreshResult } from './replies.consumer';

describe('the replies consumer\'s fresh lane (ADR 0012)', () => {
  const result = (freshat?: string, data: unknown = { conversationId: 'c1' }) =>
    ({ id: 'r1', type: 'omni.ai.completed.v1', ...(freshat ? { freshat } : {}), data }) as unknown as CloudEvent<unknown>;

  it('admits only the results the inbound step marked, by the record\'s header — sealed data too', () => {
    expect(isFreshResult(result('2026-12-07T10:00:01.000Z'))).toBe(true);
    expect(isFreshResult(result('2026-12-07T10:00:01.000Z', Buffer.from('sealed bytes')))).toBe(true);
    // The payload's `fresh` alone (an older router) no longer decides: the header does.
    expect(isFreshResult(result(undefined, { conversationId: 'c1', request: { conversation: { fresh: true } } }))).toBe(false);
    expect(isFreshResult(result())).toBe(false);
  });

  it('ranks a result by when its customer message arrived, none without the mark', () => {
    expect(freshResultRank(result('2026-12-07T10:00:01.000Z'))).toBe(Date.parse('2026-12-07T10:00:01.000Z'));
    expect(freshResultRank(result())).toBeUndefined();
  });
});
