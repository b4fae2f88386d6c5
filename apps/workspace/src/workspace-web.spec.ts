import { CATALOGUES, LANGUAGES, direction, duration, translator } from '../web/src/i18n';
import { agentRows, queueRows } from '../web/src/wallboard-figures';
import { cannedMatches, expandCanned, slaLeft, unreadSince } from '../web/src/desk-figures';

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
      { key: 'whatsapp', size: 2, longestWaitMs: 20 * 60_000 },
      { key: 'email', size: 1, longestWaitMs: 10 * 60_000 },
    ]);
    expect(queueRows(queued, (c) => c.language ?? '—', now).map((r) => [r.key, r.size])).toEqual([['en', 2], ['es', 1]]);
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

  it('marks a conversation unread when something happened after the agent last had it open, or they never did', () => {
    expect(unreadSince('2026-12-07T10:00:05.000Z', '2026-12-07T10:00:00.000Z')).toBe(true);
    expect(unreadSince('2026-12-07T10:00:00.000Z', '2026-12-07T10:00:00.000Z')).toBe(false);
    expect(unreadSince('2026-12-07T10:00:00.000Z', null)).toBe(true);
  });
});
