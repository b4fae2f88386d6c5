import { CATALOGUES, LANGUAGES, direction, duration, translator } from '../web/src/i18n';
import { agentRows, queueRows } from '../web/src/wallboard-figures';

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
