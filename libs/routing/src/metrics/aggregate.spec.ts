import { aggregateMetrics, type ConversationRecord } from './aggregate';

const t0 = Date.parse('2026-03-02T10:00:00Z');
const s = (seconds: number) => new Date(t0 + seconds * 1000);

const record = (id: string, over: Partial<ConversationRecord>): ConversationRecord => ({
  conversationId: id, channel: 'whatsapp', language: 'en', startedAt: s(0), handedOff: false, handoffReasons: [], ...over,
});

const records: ConversationRecord[] = [
  record('c1', { firstResponseAt: s(2), resolvedAt: s(60), csat: 5 }),
  record('c2', { language: 'es-MX', firstResponseAt: s(4), resolvedAt: s(120), csat: 4 }),
  record('c3', { channel: 'telegram', language: 'es', groupId: 'es-general', firstResponseAt: s(1), handedOff: true,
    handoffReasons: ['unsatisfied_turns'], handedOffAt: s(30), firstAgentResponseAt: s(90), resolvedAt: s(600), csat: 2 }),
  record('c4', { channel: 'telegram', groupId: 'es-general', firstResponseAt: s(3), handedOff: true,
    handoffReasons: ['customer_requested', 'unsatisfied_turns', 'customer_requested'], handedOffAt: s(10), firstAgentResponseAt: s(40), resolvedAt: s(300) }),
  // Still open: counts for first response and handoff reasons, not for containment or resolution.
  record('c5', { language: 'pt-BR', firstResponseAt: s(10), handedOff: true, handoffReasons: ['human_only_intent'], handedOffAt: s(20) }),
];

describe('aggregateMetrics', () => {
  const m = aggregateMetrics(records);

  it('computes response and resolution times (nearest rank)', () => {
    expect(m.conversations).toBe(5);
    // first responses 1,2,3,4,10 s
    expect(m.firstResponse).toEqual({ n: 5, meanSeconds: 4, p50Seconds: 3, p90Seconds: 10 });
    expect(m.agentFirstResponse).toEqual({ n: 2, meanSeconds: 45, p50Seconds: 30, p90Seconds: 60 });
    // resolutions 60,120,300,600 s
    expect(m.resolution).toEqual({ n: 4, meanSeconds: 270, p50Seconds: 120, p90Seconds: 600 });
  });

  it('computes containment among resolved conversations', () => {
    expect(m.containment).toEqual({ contained: 2, resolved: 4, rate: 0.5 });
  });

  it('counts handoff reasons once per conversation, most frequent first', () => {
    expect(m.handoffReasons).toEqual([
      { reason: 'unsatisfied_turns', count: 2 },
      { reason: 'customer_requested', count: 1 },
      { reason: 'human_only_intent', count: 1 },
    ]);
  });

  it('breaks CSAT down per channel, language and group', () => {
    expect(m.csat).toEqual({ n: 3, mean: 11 / 3, satisfiedRate: 2 / 3 });
    expect(m.csatBy.channel).toEqual({
      telegram: { n: 1, mean: 2, satisfiedRate: 0 },
      whatsapp: { n: 2, mean: 4.5, satisfiedRate: 1 },
    });
    expect(m.csatBy.language).toEqual({
      en: { n: 1, mean: 5, satisfiedRate: 1 },
      es: { n: 2, mean: 3, satisfiedRate: 0.5 },
      pt: { n: 0, mean: null, satisfiedRate: null },
    });
    expect(m.csatBy.group).toEqual({
      bot: { n: 2, mean: 4.5, satisfiedRate: 1 },
      'es-general': { n: 1, mean: 2, satisfiedRate: 0 },
    });
  });

  it('reports nothing for no records', () => {
    const empty = aggregateMetrics([]);
    expect(empty.containment).toEqual({ contained: 0, resolved: 0, rate: null });
    expect(empty.firstResponse).toEqual({ n: 0, meanSeconds: null, p50Seconds: null, p90Seconds: null });
    expect(empty.csat).toEqual({ n: 0, mean: null, satisfiedRate: null });
  });
});
