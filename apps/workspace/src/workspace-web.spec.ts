import { CATALOGUES, LANGUAGES, direction, duration, translator } from '../web/src/i18n';
import { agentRows, queueRows, resolutionBreaches } from '../web/src/wallboard-figures';
import { compareQueueEntries } from '@omni/routing';
import { cannedMatches, expandCanned, inServiceOrder, inStoredOrder, resolutionLeft, resolutionStartedAt, slaLeft, unreadSince } from '../web/src/desk-figures';
import { ConversationReport, NluLanguage, NluReport, SegmentStats, biasFlags, csvField, dayRanges, dayRow, reportCsv, segmentRows, variantRows } from '../web/src/report-figures';

describe('workspace catalogues', () => {
  it('has every key of English in es, zh and ar, none empty, and keeps each {placeholder}', () => {
    const keys = Object.keys(CATALOGUES.en).sort();
    for (const lang of LANGUAGES) {
      const cat = CATALOGUES[lang] as Record<string, string>;
      expect(Object.keys(cat).sort()).toEqual(keys);
      for (const k of keys) {
        expect(cat[k]?.trim()).not.toBe('');
        expect(cat[k]?.match(/\{\w+\}/g) ?? []).toEqual((CATALOGUES.en as Record<string, string>)[k]?.match(/\{\w+\}/g) ?? []);
      }
    }
  });

  it('lays Arabic out right to left and the others left to right; fills placeholders', () => {
    expect(LANGUAGES.map((l) => [l, direction(l)])).toEqual([['en', 'ltr'], ['es', 'ltr'], ['zh', 'ltr'], ['ar', 'rtl']]);
    expect(translator('es')('waiting', { t: '3 min' })).toBe('esperando 3 min');
    expect(duration('en', 185_000)).toBe('3 min');
    expect(duration('en', 12_000)).toBe('12 sec');
  });
});

describe('wallboard figures', () => {
  const at = (min: number) => new Date(Date.UTC(2026, 0, 1, 12, min)).toISOString();
  const now = Date.UTC(2026, 0, 1, 12, 30);

  it('counts the queue and its longest wait per channel, largest first', () => {
    const queued = [
      { channel: 'whatsapp', language: 'es', firstQueuedAt: at(10), lastMessageAt: at(29) },
      { channel: 'whatsapp', language: 'en', firstQueuedAt: at(25), lastMessageAt: at(29) },
      { channel: 'email', language: 'en', since: at(20), lastMessageAt: at(29) },
    ];
    expect(queueRows(queued, (c) => c.channel, now)).toEqual([
      { key: 'whatsapp', size: 2, longestWaitMs: 20 * 60_000, breaches: 1 },
      { key: 'email', size: 1, longestWaitMs: 10 * 60_000, breaches: 1 },
    ]);
    expect(queueRows(queued, (c) => c.language ?? '—', now).map((r) => [r.key, r.size])).toEqual([['en', 2], ['es', 1]]);
  });

  it('counts SLA breaches against each conversation’s group SLA (300 s without one)', () => {
    const queued = [
      { channel: 'whatsapp', groupId: 'vip', firstQueuedAt: at(28), lastMessageAt: at(29) }, // waited 2 min, VIP SLA 60 s: breached
      { channel: 'whatsapp', groupId: 'default', firstQueuedAt: at(28), lastMessageAt: at(29) }, // 2 min of 15: fine
      { channel: 'email', firstQueuedAt: at(24), lastMessageAt: at(29) }, // 6 min, no group: default 300 s, breached
    ];
    const sla = (g: string | undefined) => (g === 'vip' ? 60 : g === 'default' ? 900 : 300);
    expect(queueRows(queued, (c) => c.channel, now, sla).map((r) => [r.key, r.breaches])).toEqual([['whatsapp', 1], ['email', 1]]);
  });

  it('counts resolution SLA breaches of waiting and assigned conversations from their handoff, per key, only where the group has a target', () => {
    const open = [
      { channel: 'whatsapp', language: 'es', groupId: 'billing', handoff: { at: at(0) }, firstQueuedAt: at(1), since: at(2), lastMessageAt: at(29) }, // 30 min of 20: late
      { channel: 'whatsapp', language: 'en', groupId: 'billing', handoff: { at: at(15) }, firstQueuedAt: at(15), lastMessageAt: at(29) }, // 15 min of 20: fine
      { channel: 'email', language: 'es', groupId: 'billing', firstQueuedAt: at(5), lastMessageAt: at(29) }, // queued 25 min ago: late
      { channel: 'email', language: 'es', groupId: 'sales', firstQueuedAt: at(0), lastMessageAt: at(29) }, // no target in sales
    ];
    const target = (g: string | undefined) => (g === 'billing' ? 20 * 60 : undefined);
    expect([...resolutionBreaches(open, (c) => c.channel, now, target)]).toEqual([['whatsapp', 1], ['email', 1]]);
    expect([...resolutionBreaches(open, (c) => c.language ?? '—', now, target)]).toEqual([['es', 2]]);
    expect(resolutionBreaches(open, (c) => c.channel, now, () => undefined).size).toBe(0);
  });

  it('gives each agent its load of assigned conversations', () => {
    const agents = [{ _id: 'ana', name: 'Ana', presence: 'online' as const, maxConcurrent: 3 }, { _id: 'bo', name: 'Bo', presence: 'away' as const, maxConcurrent: 2 }];
    const assigned = [{ channel: 'web', agentId: 'ana', lastMessageAt: at(1) }, { channel: 'web', agentId: 'ana', lastMessageAt: at(2) }];
    expect(agentRows(agents, assigned)).toEqual([
      { id: 'ana', name: 'Ana', presence: 'online', active: 2, max: 3 },
      { id: 'bo', name: 'Bo', presence: 'away', active: 0, max: 2 },
    ]);
  });
});

describe('desk figures', () => {
  const canned = [{ shortcut: 'thanks', language: 'en', text: 'Thank you!' }, { shortcut: 'thx-vip', language: 'en', text: 'Thanks, VIP!' }, { shortcut: 'hours', language: 'en', text: 'We open at 9.' }];

  it('offers the canned responses whose shortcut starts with the /word the draft ends with, and expands only that word', () => {
    expect(cannedMatches('Hi Ana, /th', canned)).toEqual({ token: 'th', matches: [canned[0], canned[1]] });
    expect(cannedMatches('/', canned).matches).toHaveLength(3);
    // A slash inside a word or a URL is not a shortcut, nor one followed by a space.
    expect(cannedMatches('see https://acme.test/th', canned).matches).toEqual([]);
    expect(cannedMatches('/thanks ', canned).matches).toEqual([]);
    expect(expandCanned('Hi Ana, /th', 'th', canned[0])).toBe('Hi Ana, Thank you!');
    expect(expandCanned('/', '', canned[2])).toBe('We open at 9.');
  });

  it('counts the SLA down from the first time in the queue, by the group’s target (300 s without one), and below zero once breached', () => {
    const t0 = Date.UTC(2026, 11, 7, 10, 0);
    const queued = { state: 'queued', groupId: 'vip', firstQueuedAt: new Date(t0).toISOString(), since: new Date(t0 + 60_000).toISOString() };
    expect(slaLeft(queued, [{ id: 'vip', slaSeconds: 60 }], t0 + 45_000)).toBe(15_000);
    expect(slaLeft(queued, [{ id: 'vip', slaSeconds: 60 }], t0 + 90_000)).toBe(-30_000);
    expect(slaLeft(queued, [], t0)).toBe(300_000);
    expect(slaLeft({ ...queued, state: 'assigned' }, [], t0)).toBeNull();
  });

  it('counts the resolution SLA down on assigned conversations from the handoff (a transfer does not restart it), by the group’s target', () => {
    const t0 = Date.UTC(2026, 11, 7, 10, 0);
    const iso = (min: number) => new Date(t0 + min * 60_000).toISOString();
    const groups = [{ id: 'billing', resolutionSeconds: 3_600 }, { id: 'sales' }];
    const assigned = { state: 'assigned', groupId: 'billing', handoff: { at: iso(0) }, firstQueuedAt: iso(0), since: iso(5) };
    expect(resolutionLeft(assigned, groups, t0 + 20 * 60_000)).toBe(40 * 60_000);
    expect(resolutionLeft(assigned, groups, t0 + 70 * 60_000)).toBe(-10 * 60_000);
    // Transferred at minute 30 (queued anew): still counted from the handoff.
    expect(resolutionLeft({ ...assigned, firstQueuedAt: iso(30), since: iso(31) }, groups, t0 + 70 * 60_000)).toBe(-10 * 60_000);
    // Taken over from the bot (never queued): from the assignment, not an earlier episode's handoff.
    expect(resolutionStartedAt({ handoff: { at: iso(-600) }, since: iso(5) })).toBe(t0 + 5 * 60_000);
    // A handoff after the queueing is another episode's leftover; the queue time counts.
    expect(resolutionStartedAt({ handoff: { at: iso(10) }, firstQueuedAt: iso(3) })).toBe(t0 + 3 * 60_000);
    // No target in the group, or not assigned: no countdown.
    expect(resolutionLeft({ ...assigned, groupId: 'sales' }, groups, t0)).toBeNull();
    expect(resolutionLeft({ ...assigned, state: 'queued' }, groups, t0)).toBeNull();
  });

  it('lists the queue in the router’s service order: VIP, then priority, then the longest waiting, then id', () => {
    const t0 = Date.UTC(2026, 11, 7, 10, 0);
    const iso = (min: number) => new Date(t0 + min * 60_000).toISOString();
    const queued = [
      { _id: 'c-old', firstQueuedAt: iso(0), lastMessageAt: iso(9) },
      { _id: 'c-vip-late', queue: { vip: true, priority: 0, firstQueuedAt: iso(8) }, lastMessageAt: iso(9) },
      { _id: 'c-p5', queue: { vip: false, priority: 5, firstQueuedAt: iso(5) }, lastMessageAt: iso(9) },
      { _id: 'c-vip-early', queue: { vip: true, priority: 0, firstQueuedAt: iso(2) }, lastMessageAt: iso(9) },
      { _id: 'c-b', queue: { vip: false, priority: 0, firstQueuedAt: iso(3) }, lastMessageAt: iso(9) },
      { _id: 'c-a', queue: { vip: false, priority: 0, firstQueuedAt: iso(3) }, lastMessageAt: iso(9) },
    ];
    const shown = inServiceOrder(queued).map((c) => c._id);
    expect(shown).toEqual(['c-vip-early', 'c-vip-late', 'c-p5', 'c-old', 'c-a', 'c-b']);
    // The same order as the router's own comparator.
    const entries = queued.map((c) => ({ conversationId: c._id, groupId: 'g', vip: c.queue?.vip ?? false, priority: c.queue?.priority ?? 0, firstQueuedAt: new Date(c.queue?.firstQueuedAt ?? c.firstQueuedAt ?? '') }));
    expect([...entries].sort(compareQueueEntries).map((e) => e.conversationId)).toEqual(shown);
  });

  it('orders the history as stored (ms), not by the provider’s whole-second time, falling back to that time', () => {
    const reply = { id: 'agent', timestamp: '2026-12-07T10:00:00.700Z', createdAt: '2026-12-07T10:00:00.710Z' };
    const customer = { id: 'customer', timestamp: '2026-12-07T10:00:00.000Z', createdAt: '2026-12-07T10:00:00.950Z' };
    const old = { id: 'imported', timestamp: '2026-12-06T09:00:00.000Z' };
    expect(inStoredOrder([customer, reply, old]).map((m) => m.id)).toEqual(['imported', 'agent', 'customer']);
  });

  it('marks a conversation unread when something happened after the agent last had it open, or they never did', () => {
    expect(unreadSince('2026-12-07T10:00:05.000Z', '2026-12-07T10:00:00.000Z')).toBe(true);
    expect(unreadSince('2026-12-07T10:00:00.000Z', '2026-12-07T10:00:00.000Z')).toBe(false);
    expect(unreadSince('2026-12-07T10:00:00.000Z', null)).toBe(true);
  });
});

describe('report figures', () => {
  const stats = (p50: number | null) => ({ n: p50 === null ? 0 : 1, meanSeconds: p50, p50Seconds: p50, p90Seconds: p50 });
  const segment = (conversations: number, over: Partial<SegmentStats> = {}): SegmentStats => ({
    conversations, firstResponse: stats(4), agentFirstResponse: stats(null), resolution: stats(600), containment: { contained: 1, resolved: 2, rate: 0.5 },
    resolutionSla: { met: 0, breached: 0, pending: 0, breachRate: null }, csat: { n: 1, mean: 5, satisfiedRate: 1 }, ...over,
  });
  const report = (from: string, over: Partial<ConversationReport> = {}): ConversationReport => ({
    from, to: from, channel: null, truncated: false, ...segment(2),
    csatBy: { channel: {}, language: {}, group: {} },
    by: {
      channel: { email: segment(1), whatsapp: segment(3, { resolutionSla: { met: 1, breached: 2, pending: 0, breachRate: 2 / 3 }, agentFirstResponse: stats(45) }) },
      language: { en: segment(1, { containment: { contained: 0, resolved: 0, rate: null } }), es: segment(3, { csat: { n: 2, mean: 3.5, satisfiedRate: 0.5 } }) },
      group: { tier2: segment(4, { firstResponse: stats(null) }) },
    },
    ...over,
  });

  it('splits the period into whole UTC days ending with today, oldest first', () => {
    expect(dayRanges(2, Date.UTC(2026, 11, 7, 15, 30))).toEqual([
      { from: '2026-12-06T00:00:00.000Z', to: '2026-12-07T00:00:00.000Z' },
      { from: '2026-12-07T00:00:00.000Z', to: '2026-12-08T00:00:00.000Z' },
    ]);
  });

  it('writes RFC 4180 CSV: quotes what needs it, empties nulls, defuses spreadsheet formulas', () => {
    expect([csvField('a,b'), csvField('say "hi"'), csvField(null), csvField(-3), csvField('=HYPERLINK("x")'), csvField('@sum')])
      .toEqual(['"a,b"', '"say ""hi"""', '', '-3', '"\'=HYPERLINK(""x"")"', "'@sum"]);
  });

  it('lists the period’s figures per channel, language and group, busiest first', () => {
    const r = report('2026-12-01T00:00:00.000Z');
    expect(segmentRows(r, 'channel').map((x) => [x.key, x.conversations, x.agentFirstResponseP50, x.resolutionBreached, x.resolutionJudged])).toEqual([['whatsapp', 3, 45, 2, 3], ['email', 1, null, 0, 0]]);
    expect(segmentRows(r, 'language').map((x) => x.key)).toEqual(['es', 'en']);
    expect(segmentRows(null, 'group')).toEqual([]);
  });

  it('exports the daily series and the figures per channel, language and group, resolution SLA included', () => {
    const csv = reportCsv([dayRow(report('2026-12-07T00:00:00.000Z', { resolutionSla: { met: 3, breached: 1, pending: 2, breachRate: 0.25 } }))], report('2026-12-01T00:00:00.000Z'));
    expect(csv.split('\r\n')).toEqual([
      'section,key,conversations,first_response_p50_s,agent_first_response_p50_s,resolution_p50_s,containment_rate,resolution_sla_breached,resolution_sla_judged,csat_mean,csat_n',
      'day,2026-12-07,2,4,,600,0.5,1,4,5,1',
      'channel,whatsapp,3,4,45,600,0.5,2,3,5,1',
      'channel,email,1,4,,600,0.5,0,0,5,1',
      'language,es,3,4,,600,0.5,0,0,3.5,2',
      'language,en,1,4,,600,,0,0,5,1',
      'group,tier2,4,,,600,0.5,0,0,5,1',
      '',
    ]);
  });
});

describe('experiment report rows', () => {
  it('shows each variant’s containment, CSAT and resolution time with its 95% interval, and a dash where nothing was measured', () => {
    const rows = variantRows({
      experimentId: 'greeting',
      variants: [
        { variantId: 'warm', conversations: 40, containment: { successes: 30, n: 40, rate: 0.75, ci: { low: 0.6, high: 0.86 } }, csat: { n: 12, mean: 4.25, ci: { low: 3.9, high: 4.6 } }, timeToResolutionSeconds: { n: 1, mean: 120, ci: null } },
        { variantId: 'plain', conversations: 0, containment: { successes: 0, n: 0, rate: null, ci: null }, csat: { n: 0, mean: null, ci: null }, timeToResolutionSeconds: { n: 0, mean: null, ci: null } },
      ],
    }, { pct: (x) => `${Math.round(x * 100)}%`, num: (x) => x.toFixed(2), secs: (x) => `${x}s` });
    expect(rows).toEqual([
      { experimentId: 'greeting', variantId: 'warm', conversations: 40, containment: '75% [60%–86%]', csat: '4.25 [3.90–4.60]', resolution: '120s' },
      { experimentId: 'greeting', variantId: 'plain', conversations: 0, containment: '—', csat: '—', resolution: '—' },
    ]);
  });
});

describe('the NLU bias flag', () => {
  const lang = (language: string, labelled: number, accuracy: number | null, withOutcome: number, handoffRate: number | null): NluLanguage => ({
    language, predictions: Math.max(labelled, withOutcome), labelled, correct: accuracy === null ? 0 : Math.round(accuracy * labelled), accuracy,
    outcomes: { withOutcome, answeredRate: handoffRate === null ? null : 1 - handoffRate, handoffRate, csat: { rated: 0, mean: null } },
  });
  const report = (byLanguage: NluLanguage[], accuracy: number | null, handoffRate: number | null): NluReport => ({
    predictions: 1000, overall: { ...lang('all', 500, accuracy, 500, handoffRate) }, byLanguage,
  });

  it('flags a language whose labelled accuracy is 10 points or more below the whole, or (without labels) whose handoffs are 10 points above it', () => {
    const flags = biasFlags(report([
      lang('en', 300, 0.9, 300, 0.1),
      lang('ar', 40, 0.7, 40, 0.3), // accuracy 15 points below
      lang('th', 5, 0.2, 60, 0.35), // too few labels; handoffs 20 points above
      lang('pt', 25, 0.8, 25, 0.1), // 5 points below: not flagged
    ], 0.85, 0.15));
    expect(flags.map((f) => [f.language, f.by, Math.round(f.gap * 100)])).toEqual([['ar', 'accuracy', 15], ['th', 'handoff', 20]]);
  });

  it('flags nothing on too little evidence', () => {
    expect(biasFlags(report([lang('sw', 3, 0, 4, 1)], 0.9, 0.1))).toEqual([]);
  });
});
