import { caught } from '../testing';
import { decide } from './decide';
import { parseSkillGroups, type Agent, type CustomerProfile, type QueueEntry, type RoutingConversation } from './model';

const weekdays = (open: string, close: string) => (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, open, close }));

const groups = parseSkillGroups([
  { id: 'es-general', languages: ['es'], hours: { timeZone: 'America/Sao_Paulo', weekly: weekdays('09:00', '18:00') }, fallbackGroupId: 'global' },
  { id: 'es-refunds', languages: ['es'], intents: ['refund'], slaSeconds: 120, fallbackGroupId: 'global' },
  { id: 'en-general', languages: ['en'] },
  { id: 'global', averageHandleSeconds: 600 },
  { id: 'th-telegram', languages: ['th'], channels: ['telegram'], hours: { timeZone: 'Asia/Bangkok', weekly: weekdays('08:00', '20:00') } },
]);

const at = (iso: string) => new Date(iso);
const agent = (id: string, groupIds: string[], active: number, max: number, over: Partial<Agent> = {}): Agent => ({
  id, groupIds, languages: [], maxConcurrent: max, activeCount: active, presence: 'online', ...over,
});
const agents: Agent[] = [
  agent('a1', ['es-general'], 1, 3, { languages: ['es'], lastAssignedAt: at('2026-03-02T14:00:00Z') }),
  agent('a2', ['es-general'], 1, 3, { languages: ['es', 'pt'], lastAssignedAt: at('2026-03-02T12:00:00Z') }),
  agent('a3', ['es-general'], 2, 2),
  agent('a4', ['es-general'], 0, 3, { presence: 'away' }),
  agent('r1', ['es-refunds'], 0, 2, { presence: 'offline' }),
  agent('g1', ['global'], 5, 5),
  agent('e1', ['en-general'], 0, 2),
];

// Monday 2026-03-02 15:00Z = 12:00 in São Paulo (open), 22:00 in Bangkok (closed).
const monday = at('2026-03-02T15:00:00Z');
const saturday = at('2026-03-07T15:00:00Z');
const customer: CustomerProfile = { id: 'c1' };
const conv = (over: Partial<RoutingConversation> = {}): RoutingConversation => ({ id: 'conv-1', channel: 'whatsapp', language: 'es', customer, ...over });
const waiting = (id: string, groupId: string, minutesAgo: number, over: Partial<QueueEntry> = {}): QueueEntry => ({
  conversationId: id, groupId, vip: false, priority: 0, firstQueuedAt: new Date(monday.getTime() - minutesAgo * 60_000), ...over,
});
const queue = [waiting('w1', 'es-general', 5), waiting('w2', 'es-general', 3), waiting('w3', 'global', 1)];

type Expect = { kind: string; agentId?: string; groupId: string; position?: number; expectedWaitSeconds?: number; sticky?: boolean; overflowedFrom?: string; nextOpenAt?: Date | null };
type Row = [string, RoutingConversation, Date, QueueEntry[], Expect, string];

const table: Row[] = [
  ['language first, least busy, ties by longest idle', conv(), monday, [], { kind: 'assign', agentId: 'a2', groupId: 'es-general', sticky: false }, 'least busy of 2 eligible'],
  ['locale tag matches its primary language', conv({ language: 'es-MX' }), monday, [], { kind: 'assign', agentId: 'a2', groupId: 'es-general' }, 'language es: served by es-general, es-refunds'],
  ['intent picks the skill group; nobody online queues', conv({ intent: 'refund' }), monday, [], { kind: 'queue', groupId: 'es-refunds', position: 1, expectedWaitSeconds: 300 }, 'r1 offline'],
  ['unknown intent falls back to the general group', conv({ intent: 'weather' }), monday, [], { kind: 'assign', agentId: 'a2', groupId: 'es-general' }, 'no group skilled in weather; general group es-general'],
  ['no dedicated group → any-language group', conv({ language: 'pt-BR' }), monday, queue, { kind: 'queue', groupId: 'global', position: 2, expectedWaitSeconds: 600 }, 'no dedicated group'],
  ['another language group', conv({ language: 'en' }), monday, [], { kind: 'assign', agentId: 'e1', groupId: 'en-general' }, 'language en'],
  ['waiting conversations ahead are served first', conv(), monday, queue, { kind: 'queue', groupId: 'es-general', position: 3, expectedWaitSeconds: 300 }, '2 conversation(s) ahead'],
  ['a VIP goes ahead of the queue', conv({ customer: { id: 'vip', vip: true } }), monday, queue, { kind: 'assign', agentId: 'a2', groupId: 'es-general' }, 'least busy'],
  ['priority ranks between VIP and age', conv({ customer: { id: 'p', priority: 1 } }), monday, [...queue, waiting('w4', 'es-general', 1, { vip: true })],
    { kind: 'queue', groupId: 'es-general', position: 2 }, '1 conversation(s) ahead'],
  ['sticky to the last agent within N days', conv({ customer: { id: 'c', lastAgentId: 'a1', lastAgentAt: at('2026-02-28T10:00:00Z') } }), monday, [],
    { kind: 'assign', agentId: 'a1', groupId: 'es-general', sticky: true }, 'sticky: last agent a1'],
  ['stickiness expires', conv({ customer: { id: 'c', lastAgentId: 'a1', lastAgentAt: at('2026-02-20T10:00:00Z') } }), monday, [],
    { kind: 'assign', agentId: 'a2', groupId: 'es-general', sticky: false }, 'least busy'],
  ['a full last agent is skipped', conv({ customer: { id: 'c', lastAgentId: 'a3', lastAgentAt: at('2026-03-01T10:00:00Z') } }), monday, [],
    { kind: 'assign', agentId: 'a2', groupId: 'es-general', sticky: false }, 'last agent a3 not available: at capacity 2/2'],
  ['a last agent outside the group is skipped', conv({ customer: { id: 'c', lastAgentId: 'e1', lastAgentAt: at('2026-03-01T10:00:00Z') } }), monday, [],
    { kind: 'assign', agentId: 'a2', groupId: 'es-general' }, 'last agent e1 not available: not in group es-general'],
  ['closed group overflows to an open fallback', conv(), saturday, [], { kind: 'queue', groupId: 'global', position: 1, overflowedFrom: 'es-general', expectedWaitSeconds: 600 },
    'es-general is closed (America/Sao_Paulo); fallback global is open'],
  ['closed group without fallback is out of hours', conv({ channel: 'telegram', language: 'th' }), monday, [],
    { kind: 'out_of_hours', groupId: 'th-telegram', nextOpenAt: at('2026-03-03T01:00:00Z') }, 'th-telegram is closed in Asia/Bangkok; opens 2026-03-03T01:00:00.000Z'],
  ['SLA exceeded overflows to the fallback, keeping its age ahead of younger entries', conv({ intent: 'refund', queued: { groupId: 'es-refunds', since: at('2026-03-02T14:57:00Z'), firstQueuedAt: at('2026-03-02T14:57:00Z') } }),
    monday, queue, { kind: 'queue', groupId: 'global', position: 1, overflowedFrom: 'es-refunds' }, 'waited 180s > SLA 120s in es-refunds; overflow to global'],
  ['within SLA stays in its group', conv({ intent: 'refund', queued: { groupId: 'es-refunds', since: at('2026-03-02T14:59:00Z'), firstQueuedAt: at('2026-03-02T14:59:00Z') } }),
    monday, [waiting('conv-1', 'es-refunds', 1)], { kind: 'queue', groupId: 'es-refunds', position: 1 }, 'waiting in group es-refunds'],
  ['a waiting conversation at the head gets the free agent', conv({ id: 'w1', queued: { groupId: 'es-general', since: at('2026-03-02T14:55:00Z'), firstQueuedAt: at('2026-03-02T14:55:00Z') } }),
    monday, queue, { kind: 'assign', agentId: 'a2', groupId: 'es-general' }, 'least busy'],
  ['the second in line still waits', conv({ id: 'w2', queued: { groupId: 'es-general', since: at('2026-03-02T14:57:00Z'), firstQueuedAt: at('2026-03-02T14:57:00Z') } }),
    monday, queue, { kind: 'queue', groupId: 'es-general', position: 2 }, '1 conversation(s) ahead'],
  ['a deleted group is routed again', conv({ queued: { groupId: 'gone', since: monday, firstQueuedAt: monday } }), monday, [],
    { kind: 'assign', agentId: 'a2', groupId: 'es-general' }, 'group gone no longer exists'],
];

describe('decide', () => {
  it.each(table)('%s', (_name, conversation, now, waitingQueue, expected, whyPart) => {
    const decision = decide(conversation, groups, agents, now, { queue: waitingQueue });
    expect(decision).toMatchObject(expected);
    expect(decision.why.join(' | ')).toContain(whyPart);
  });

  it('explains every ineligible member when it queues', () => {
    const d = decide(conv(), groups, agents.map((a) => (a.id === 'a1' || a.id === 'a2' ? { ...a, presence: 'offline' as const } : a)), monday);
    expect(d).toMatchObject({ kind: 'queue', groupId: 'es-general', position: 1 });
    expect(d.why.at(-2)).toBe('no eligible agent in es-general: a1 offline; a2 offline; a3 at capacity 2/2; a4 away');
  });

  it('counts online slots in the expected wait', () => {
    const busy = agents.map((a) => (a.groupIds.includes('es-general') ? { ...a, activeCount: a.maxConcurrent } : a));
    const longQueue = Array.from({ length: 12 }, (_, i) => waiting(`q${i}`, 'es-general', 30 - i));
    // a1 3 + a2 3 + a3 2 online slots = 8; position 13 → 2 rounds of 300s.
    expect(decide(conv(), groups, busy, monday, { queue: longQueue })).toMatchObject({ kind: 'queue', position: 13, expectedWaitSeconds: 600 });
  });

  it('honours stickyDays and averageHandleSeconds options', () => {
    const c = conv({ customer: { id: 'c', lastAgentId: 'a1', lastAgentAt: at('2026-02-20T10:00:00Z') } });
    expect(decide(c, groups, agents, monday, { options: { stickyDays: 30 } })).toMatchObject({ agentId: 'a1', sticky: true });
    expect(decide(conv({ intent: 'refund' }), groups, agents, monday, { options: { averageHandleSeconds: 90 } })).toMatchObject({ expectedWaitSeconds: 90 });
  });

  it('fails clearly when no group serves the channel', () => {
    expect(caught(() => decide(conv({ channel: 'email' }), groups.filter((g) => g.id === 'th-telegram'), agents, monday))).toMatchObject({
      code: 'no_skill_group',
    });
  });
});

describe('parseSkillGroups', () => {
  it.each([
    [[{ id: 'a', fallbackGroupId: 'missing' }], '0.fallbackGroupId'],
    [[{ id: 'a', fallbackGroupId: 'a' }], '0.fallbackGroupId'],
    [[{ id: 'a' }, { id: 'a' }], 'id'],
    [[{ id: 'a', hours: { timeZone: 'Nowhere/City', weekly: [] } }], '0.hours.timeZone'],
    [[{ id: 'a', channels: ['fax'] }], '0.channels.0'],
  ])('rejects %j at %s', (input, path) => {
    expect(caught(() => parseSkillGroups(input))).toMatchObject({ code: 'validation_failed', issues: [{ path }] });
  });
});
