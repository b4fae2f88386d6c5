import type { ConversationDoc, OwnershipClaimDoc } from '@omni/persistence';
import { aggregateMetrics } from '@omni/routing';
import { AGENT_TAKEOVER, conversationRecord, type Response } from './conversation-record';

const t0 = new Date('2026-03-02T10:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const conv = (id: string, extra: Partial<ConversationDoc> = {}): ConversationDoc => ({
  _id: id, tenantId: 't', region: 'local', channel: 'web', accountId: 'a', customerId: `cu-${id}`, channelUserId: `u-${id}`,
  state: 'bot', version: 0, language: 'es', lastMessageAt: t0, createdAt: t0, updatedAt: t0, ...extra,
});
const entry = (conversationId: string, version: number, state: OwnershipClaimDoc['state'], s: number, extra: Partial<OwnershipClaimDoc> = {}): OwnershipClaimDoc => ({
  _id: `${conversationId}:${version}`, tenantId: 't', conversationId, version, state, since: at(s), at: at(s), cause: 'x', ...extra,
});
const said = (kind: 'bot' | 'agent', s: number): Response => ({ author: { kind }, timestamp: at(s) });
const handoff = (code: string) => ({ at: t0, messageId: 'm', reasons: [{ code, detail: '' }], summary: {} });

describe('conversationRecord', () => {
  it('a contained conversation: answered by the bot, resolved without a handoff', () => {
    expect(conversationRecord(conv('c1', { csat: { score: 5 } }), [entry('c1', 1, 'resolved', 300)], [said('bot', 2), said('bot', 60)])).toEqual({
      conversationId: 'c1', channel: 'web', language: 'es', startedAt: t0, firstResponseAt: at(2), resolvedAt: at(300),
      handedOff: false, handoffReasons: [], csat: 5,
    });
  });

  it('a handed-off one: reasons, queue group, first agent reply after the handoff, first resolution only', () => {
    const log = [
      entry('c2', 3, 'resolved', 900),
      entry('c2', 1, 'queued', 10, { groupId: 'billing', handoff: handoff('unsatisfied_turns') }),
      entry('c2', 2, 'assigned', 40, { groupId: 'billing', agentId: 'ana' }),
      entry('c2', 4, 'bot', 1000),
      entry('c2', 5, 'queued', 1010, { groupId: 'sales', handoff: handoff('customer_requested') }),
    ];
    expect(conversationRecord(conv('c2'), log, [said('agent', 100), said('bot', 3), said('agent', 50)])).toMatchObject({
      groupId: 'billing', firstResponseAt: at(3), handedOffAt: at(10), firstAgentResponseAt: at(50), resolvedAt: at(900),
      handedOff: true, handoffReasons: ['unsatisfied_turns'],
    });
  });

  it('a takeover without the bot’s rules counts as an agent takeover', () => {
    const r = conversationRecord(conv('c3', { language: undefined }), [entry('c3', 1, 'assigned', 5, { groupId: 'vip', agentId: 'bo' })], []);
    expect(r).toMatchObject({ language: 'unknown', handedOff: true, handoffReasons: [AGENT_TAKEOVER], groupId: 'vip' });
    expect(r.resolvedAt).toBeUndefined();
    expect(r.firstResponseAt).toBeUndefined();
  });

  it('carries the resolution SLA of the group that served a handed-off conversation, none for a contained one', () => {
    const targets = (g: string) => ({ billing: 600 } as Record<string, number>)[g];
    const handedOff = conversationRecord(conv('c4'), [entry('c4', 1, 'queued', 10, { groupId: 'billing', handoff: handoff('customer_requested') }), entry('c4', 2, 'resolved', 700)], [], targets);
    expect(handedOff).toMatchObject({ groupId: 'billing', handedOffAt: at(10), resolvedAt: at(700), resolutionTargetSeconds: 600 });
    expect(aggregateMetrics([handedOff]).resolutionSla).toEqual({ met: 0, breached: 1, pending: 0, breachRate: 1 });
    expect(conversationRecord(conv('c5'), [entry('c5', 1, 'resolved', 30)], [said('bot', 2)], targets).resolutionTargetSeconds).toBeUndefined();
    expect(conversationRecord(conv('c6'), [entry('c6', 1, 'queued', 10, { groupId: 'sales' })], [], targets).resolutionTargetSeconds).toBeUndefined();
  });

  it('feeds aggregateMetrics: containment among resolved, CSAT per group', () => {
    const records = [
      conversationRecord(conv('a', { csat: { score: 4 } }), [entry('a', 1, 'resolved', 60)], [said('bot', 1)]),
      conversationRecord(conv('b', { csat: { score: 2 } }), [entry('b', 1, 'queued', 5, { groupId: 'g', handoff: handoff('unsatisfied_turns') }), entry('b', 2, 'resolved', 120)], [said('bot', 3)]),
      conversationRecord(conv('c'), [], [said('bot', 1)]),
    ];
    const m = aggregateMetrics(records);
    expect(m.containment).toEqual({ contained: 1, resolved: 2, rate: 0.5 });
    expect(m.firstResponse).toMatchObject({ n: 3, meanSeconds: 5 / 3 });
    expect(m.csatBy.group).toEqual({ bot: { n: 1, mean: 4, satisfiedRate: 1 }, g: { n: 1, mean: 2, satisfiedRate: 0 } });
    expect(m.handoffReasons).toEqual([{ reason: 'unsatisfied_turns', count: 1 }]);
  });
});
