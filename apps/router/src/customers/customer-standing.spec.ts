import { standingOf } from './customer-standing';

describe('standingOf', () => {
  const at = new Date('2026-12-01T10:00:00.000Z');

  it('is VIP when any identity of the profile is, with the highest priority set on any of them', () => {
    expect(standingOf([{ vip: false, priority: 3 }, { vip: true, priority: 1 }, { vip: false, priority: 9 }], null)).toEqual({ vip: true, priority: 9 });
  });

  it('is an ordinary customer without tiers, and carries the last assignment’s agent and time', () => {
    expect(standingOf([], null)).toEqual({ vip: false, priority: 0 });
    expect(standingOf([], { agentId: 'kim', at })).toEqual({ vip: false, priority: 0, lastAgentId: 'kim', lastAgentAt: at });
  });

  it('ignores an assignment entry without an agent', () => {
    expect(standingOf([], { at })).toEqual({ vip: false, priority: 0 });
  });
});
