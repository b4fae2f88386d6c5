import type { CloudEvent } from '@omni/contracts';
import { freshRequestRank, isFreshRequest } from './answer.consumer';

describe('the AI worker\'s fresh lane (ADR 0012)', () => {
  const request = (conversation?: Record<string, unknown>) =>
    ({ id: 'q1', type: 'omni.ai.requested.v1', data: { conversationId: 'c1', ...(conversation ? { conversation } : {}) } }) as unknown as CloudEvent<unknown>;

  it('admits only the requests for messages the router handled on its fresh lane', () => {
    expect(isFreshRequest(request({ fresh: true, version: 0 }))).toBe(true);
    expect(isFreshRequest(request({ version: 0 }))).toBe(false);
    expect(isFreshRequest(request())).toBe(false);
  });

  it('ranks a request by when its customer message arrived, none without the router\'s facts', () => {
    expect(freshRequestRank(request({ fresh: true, version: 0, inboundAt: '2026-12-07T10:00:01.000Z' }))).toBe(Date.parse('2026-12-07T10:00:01.000Z'));
    expect(freshRequestRank(request())).toBeUndefined();
  });
});
