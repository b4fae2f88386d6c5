import type { CloudEvent } from '@omni/contracts';
import { freshRequestRank, isFreshRequest } from './answer.consumer';

describe('the AI worker\'s fresh lane (ADR 0012)', () => {
  const request = (freshat?: string, data: unknown = { conversationId: 'c1' }) =>
    ({ id: 'q1', type: 'omni.ai.requested.v1', ...(freshat ? { freshat } : {}), data }) as unknown as CloudEvent<unknown>;

  it('admits only the requests the router marked, by the record\'s header — sealed data too', () => {
    expect(isFreshRequest(request('2026-12-07T10:00:01.000Z'))).toBe(true);
    expect(isFreshRequest(request('2026-12-07T10:00:01.000Z', Buffer.from('sealed bytes')))).toBe(true);
    expect(isFreshRequest(request(undefined, { conversationId: 'c1', conversation: { fresh: true } }))).toBe(false);
    expect(isFreshRequest(request())).toBe(false);
  });

  it('ranks a request by when its customer message arrived, none without the mark', () => {
    expect(freshRequestRank(request('2026-12-07T10:00:01.000Z'))).toBe(Date.parse('2026-12-07T10:00:01.000Z'));
    expect(freshRequestRank(request())).toBeUndefined();
  });
});
