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

  it('gives every figure per channel, language and group (bot for what no agent served)', () => {
    expect(Object.keys(m.by.language)).toEqual(['en', 'es', 'pt']);
    expect(m.by.language.es).toMatchObject({
      conversations: 2, firstResponse: { n: 2, p50Seconds: 1 }, agentFirstResponse: { n: 1, meanSeconds: 60 },
      resolution: { n: 2, p50Seconds: 120, p90Seconds: 600 }, containment: { contained: 1, resolved: 2, rate: 0.5 }, csat: { n: 2, mean: 3 },
    });
    expect(m.by.channel.telegram).toMatchObject({ conversations: 2, resolution: { n: 2, meanSeconds: 450 }, containment: { contained: 0, resolved: 2, rate: 0 } });
    expect(m.by.group.bot).toMatchObject({ conversations: 3, resolution: { n: 2, p50Seconds: 60 } });
    expect(m.by.group['es-general']?.agentFirstResponse).toEqual({ n: 2, meanSeconds: 45, p50Seconds: 30, p90Seconds: 60 });
  });

  it('judges the resolution SLA from the handoff: met, breached (late, or open past it), pending (open, not yet due)', () => {
    const target = (r: ConversationRecord, seconds: number) => ({ ...r, resolutionTargetSeconds: seconds });
    const judged = [
      target(record('met', { handedOff: true, handedOffAt: s(100), resolvedAt: s(400) }), 300), // exactly at the target
      target(record('late', { language: 'es', handedOff: true, handedOffAt: s(100), resolvedAt: s(401) }), 300),
      target(record('overdue', { language: 'es', handedOff: true, handedOffAt: s(0) }), 300),
      target(record('due-later', { handedOff: true, handedOffAt: s(0) }), 3_600),
      record('no-target', { handedOff: true, handedOffAt: s(0), resolvedAt: s(99_999) }),
      target(record('bot', { resolvedAt: s(99_999) }), 60), // never handed off: no resolution SLA
    ];
    const r = aggregateMetrics(judged, s(1_000));
    expect(r.resolutionSla).toEqual({ met: 1, breached: 2, pending: 1, breachRate: 2 / 3 });
    expect(r.by.language.es?.resolutionSla).toEqual({ met: 0, breached: 2, pending: 0, breachRate: 1 });
    expect(r.by.language.en?.resolutionSla).toEqual({ met: 1, breached: 0, pending: 1, breachRate: 0 });
    // The same open conversation is pending before its due time and breached after it.
    expect(aggregateMetrics(judged.slice(2, 3), s(300)).resolutionSla).toMatchObject({ breached: 0, pending: 1 });
    expect(aggregateMetrics(judged.slice(2, 3), s(301)).resolutionSla).toMatchObject({ breached: 1, pending: 0 });
  });

  it('reports nothing for no records', () => {
    const empty = aggregateMetrics([]);
    expect(empty.containment).toEqual({ contained: 0, resolved: 0, rate: null });
    expect(empty.firstResponse).toEqual({ n: 0, meanSeconds: null, p50Seconds: null, p90Seconds: null });
    expect(empty.csat).toEqual({ n: 0, mean: null, satisfiedRate: null });
    expect(empty.resolutionSla).toEqual({ met: 0, breached: 0, pending: 0, breachRate: null });
    expect(empty.by).toEqual({ channel: {}, language: {}, group: {} });
  });
});
