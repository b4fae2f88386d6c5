import type { CloudEvent } from '@omni/contracts';
import { freshResultRank, isFreshResult } from './replies.consumer';

describe('the replies consumer\'s fresh lane (ADR 0012)', () => {
  const result = (conversation?: Record<string, unknown>) =>
    ({ id: 'r1', type: 'omni.ai.completed.v1', data: { conversationId: 'c1', ...(conversation ? { request: { conversation, text: 'hi' } } : {}) } }) as unknown as CloudEvent<unknown>;

  it('admits only the results of messages the inbound step handled on its fresh lane', () => {
    expect(isFreshResult(result({ fresh: true, version: 0 }))).toBe(true);
    expect(isFreshResult(result({ version: 0 }))).toBe(false);
    expect(isFreshResult(result())).toBe(false);
  });

  it('ranks a result by when its customer message arrived, none without the inbound step\'s facts', () => {
    expect(freshResultRank(result({ fresh: true, version: 0, inboundAt: '2026-12-07T10:00:01.000Z' }))).toBe(Date.parse('2026-12-07T10:00:01.000Z'));
    expect(freshResultRank(result())).toBeUndefined();
  });
});
