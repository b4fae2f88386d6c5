import { useEffect, useState } from 'preact/hooks';
import type { Api, Conversation, Person, SkillGroup } from './api';
import { Key, Lang, T, duration } from './i18n';
import { explain } from './errors';
import { inServiceOrder, resolutionLeft, slaLeft, unreadSince } from './desk-figures';

const CHANNELS = ['whatsapp', 'messenger', 'telegram', 'email', 'web'];
const STATES = ['assigned', 'queued', 'bot', 'resolved'] as const;

const seenKey = (id: string) => `omni.workspace.seen.${id}`;

/** The agent has seen the conversation up to its last message (kept per browser). */
export function markSeen(c: Conversation): void {
  localStorage.setItem(seenKey(c._id), c.lastMessageAt);
}

/** Something happened since the agent last had it open (or they never opened it). */
export function isUnread(c: Conversation): boolean {
  return unreadSince(c.lastMessageAt, localStorage.getItem(seenKey(c._id)));
}

export function stateLabel(t: T, state: string): string {
  const key = ({ assigned: 'assigned', queued: 'queued', bot: 'bot_state', resolved: 'resolved_state' } as Record<string, Key>)[state];
  return key ? t(key) : state;
}

/** My conversations and the queues I may take, filtered by channel, language and status; re-read on every live change. */
export function Inbox({ api, t, lang, person, tick, selected, onSelect }: {
  api: Api; t: T; lang: Lang; person: Person; tick: number; selected: string | null; onSelect: (id: string) => void;
}) {
  const [mine, setMine] = useState<Conversation[]>([]);
  const [queued, setQueued] = useState<Conversation[]>([]);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [channel, setChannel] = useState('');
  const [language, setLanguage] = useState('');
  const [state, setState] = useState('');
  const [now, setNow] = useState(Date.now());
  const [groups, setGroups] = useState<SkillGroup[]>([]);
  useEffect(() => { api.call<SkillGroup[]>('GET', '/v1/skill-groups').then(setGroups, () => undefined); }, []);

  useEffect(() => {
    const q = channel ? `&channel=${channel}` : '';
    const mineQuery = person.agentId ? `agentId=${encodeURIComponent(person.agentId)}${state ? `&state=${state}` : '&state=assigned'}` : `state=${state || 'assigned'}`;
    Promise.all([
      api.call<Conversation[]>('GET', `/v1/conversations?${mineQuery}${q}&limit=100`),
      api.call<Conversation[]>('GET', `/v1/conversations?state=queued${q}&limit=100`),
    ]).then(([m, qd]) => { setMine(m); setQueued(qd); setError(''); setNow(Date.now()); }, (e: unknown) => setError(explain(t, e)));
  }, [tick, channel, state, person.agentId]);

  useEffect(() => {
    // Every second: the SLA countdowns (first response of the queued, resolution of the assigned).
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const byLanguage = (c: Conversation) => !language || c.language === language;
  const languages = [...new Set([...mine, ...queued].map((c) => c.language).filter(Boolean))] as string[];

  const take = async (c: Conversation) => {
    if (!person.agentId) return;
    setNotice('');
    try {
      await api.call('POST', `/v1/conversations/${encodeURIComponent(c._id)}/assign`, { agentId: person.agentId });
      setNotice(t('taken'));
      onSelect(c._id);
    } catch (e) {
      setError(explain(t, e));
    }
  };

  const row = (c: Conversation, action?: 'take') => {
    const waitingSince = c.firstQueuedAt ?? c.since;
    const left = slaLeft(c, groups, now);
    const toResolve = resolutionLeft(c, groups, now);
    const unread = selected !== c._id && isUnread(c);
    return (
      <li key={c._id} class={selected === c._id ? 'conv sel' : 'conv'} data-conversation={c._id}>
        <button class="link" onClick={() => onSelect(c._id)} aria-current={selected === c._id ? 'true' : undefined}>
          <span class={`chip ${c.channel}`}>{c.channel}</span> {c.channelUserId}
          {c.language && <span class="chip">{c.language}</span>}
          {c.state === 'queued' && c.queue?.vip && <span class="chip vip" data-testid="vip">{t('vip')}</span>}
          <span class="muted"> · {stateLabel(t, c.state)}</span>
          {c.state === 'queued' && waitingSince && <span class="wait"> · {t('waiting', { t: duration(lang, now - Date.parse(waitingSince)) })}</span>}
          {left !== null && (
            <span class={left < 0 ? 'sla breached' : left < 60_000 ? 'sla soon' : 'sla'} data-testid="sla">
              {' · '}{left < 0 ? t('slaBreached', { t: duration(lang, -left) }) : t('slaLeft', { t: duration(lang, left) })}
            </span>
          )}
          {toResolve !== null && (
            <span class={toResolve < 0 ? 'sla breached' : toResolve < 5 * 60_000 ? 'sla soon' : 'sla'} data-testid="resolution-sla">
              {' · '}{toResolve < 0 ? t('resolveBreached', { t: duration(lang, -toResolve) }) : t('resolveLeft', { t: duration(lang, toResolve) })}
            </span>
          )}
          {unread && <span class="badge" data-testid="unread">{t('new')}</span>}
        </button>
        {action === 'take' && person.agentId && <button onClick={() => void take(c)} data-testid="take">{t('take')}</button>}
      </li>
    );
  };

  const shownMine = mine.filter(byLanguage);
  // Served VIP first, then by priority, then the longest waiting: the order the router takes them in.
  const shownQueued = inServiceOrder(queued.filter(byLanguage));
  const unreadMine = shownMine.filter((c) => c._id !== selected && isUnread(c)).length;
  return (
    <aside class="inbox" aria-label={t('inbox')}>
      <fieldset class="filters">
        <label>{t('channel')}
          <select value={channel} onChange={(e) => setChannel((e.currentTarget).value)}>
            <option value="">{t('all')}</option>
            {CHANNELS.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label>{t('language')}
          <select value={language} onChange={(e) => setLanguage((e.currentTarget).value)}>
            <option value="">{t('all')}</option>
            {languages.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        </label>
        <label>{t('status')}
          <select value={state} onChange={(e) => setState((e.currentTarget).value)}>
            <option value="">{stateLabel(t, 'assigned')}</option>
            {STATES.filter((s) => s !== 'assigned').map((s) => <option key={s} value={s}>{stateLabel(t, s)}</option>)}
          </select>
        </label>
      </fieldset>
      {error && <p class="error" role="alert">{error}</p>}
      {notice && <p class="notice" role="status">{notice}</p>}
      <h2>{t('mine')} <span class="count">{shownMine.length}</span>{unreadMine > 0 && <span class="badge" data-testid="unread-count">{t('unread', { n: String(unreadMine) })}</span>}</h2>
      <ul data-testid="mine">{shownMine.length ? shownMine.map((c) => row(c)) : <li class="muted">{t('noConversations')}</li>}</ul>
      <h2>{t('queues')} <span class="count">{shownQueued.length}</span></h2>
      <ul data-testid="queued">{shownQueued.length ? shownQueued.map((c) => row(c, 'take')) : <li class="muted">{t('noConversations')}</li>}</ul>
    </aside>
  );
}
