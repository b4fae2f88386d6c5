import { useEffect, useState } from 'preact/hooks';
import type { Agent, Api, Conversation, SkillGroup } from './api';
import { Lang, T, duration } from './i18n';
import { explain } from './errors';
import { DEFAULT_SLA_SECONDS, QueueRow, agentRows, queueRows, resolutionBreaches } from './wallboard-figures';

/** The supervisor's live wallboard: queues per channel and language, longest wait, first-response and resolution SLA breaches, agents' states and load. */
export function Wallboard({ api, t, lang, tick }: { api: Api; t: T; lang: Lang; tick: number }) {
  const [queued, setQueued] = useState<Conversation[]>([]);
  const [assigned, setAssigned] = useState<Conversation[]>([]);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [groups, setGroups] = useState<SkillGroup[]>([]);
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    Promise.all([
      api.call<Conversation[]>('GET', '/v1/conversations?state=queued&limit=200'),
      api.call<Conversation[]>('GET', '/v1/conversations?state=assigned&limit=200'),
      api.call<Agent[]>('GET', '/v1/agents'),
    ]).then(([q, a, ag]) => { setQueued(q); setAssigned(a); setAgents(ag); setError(''); setNow(Date.now()); }, (e: unknown) => setError(explain(t, e)));
  }, [tick]);
  useEffect(() => { api.call<SkillGroup[]>('GET', '/v1/skill-groups').then(setGroups, () => undefined); }, []);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);

  const slaOf = (groupId: string | undefined) => groups.find((g) => g.id === groupId)?.slaSeconds ?? DEFAULT_SLA_SECONDS;
  const longest = queued.reduce((m, c) => Math.max(m, now - Date.parse(c.firstQueuedAt ?? c.since ?? c.lastMessageAt)), 0);
  const byChannel = queueRows(queued, (c) => c.channel, now, slaOf);
  const breaches = byChannel.reduce((n, r) => n + r.breaches, 0);
  // Resolution SLA: every conversation with people (waiting or assigned), from its handoff.
  const resolutionOf = (groupId: string | undefined) => groups.find((g) => g.id === groupId)?.resolutionSeconds;
  const lateByChannel = resolutionBreaches([...queued, ...assigned], (c) => c.channel, now, resolutionOf);
  const lateByLanguage = resolutionBreaches([...queued, ...assigned], (c) => c.language ?? '—', now, resolutionOf);
  const late = [...lateByChannel.values()].reduce((n, v) => n + v, 0);
  const table = (title: string, queues: QueueRow[], testId: string, lateBy: Map<string, number>) => {
    // A channel or language with late conversations but nobody waiting still gets its row.
    const rows = [...queues, ...[...lateBy.keys()].filter((k) => !queues.some((r) => r.key === k)).sort().map((key) => ({ key, size: 0, longestWaitMs: 0, breaches: 0 }))];
    return (
    <section class="card">
      <h3>{title}</h3>
      <table data-testid={testId}>
        <thead><tr><th scope="col">{title === t('byChannel') ? t('channel') : t('language')}</th><th scope="col">{t('queueSize')}</th><th scope="col">{t('longestWait')}</th><th scope="col">{t('slaBreaches')}</th><th scope="col">{t('resolutionBreaches')}</th></tr></thead>
        <tbody>
          {rows.length ? rows.map((r) => (
            <tr key={r.key}><th scope="row">{r.key}</th><td>{r.size}</td><td>{duration(lang, r.longestWaitMs)}</td><td class={r.breaches ? 'breached' : ''}>{r.breaches}</td><td class={lateBy.get(r.key) ? 'breached' : ''}>{lateBy.get(r.key) ?? 0}</td></tr>
          )) : <tr><td colSpan={5} class="muted">{t('none')}</td></tr>}
        </tbody>
      </table>
    </section>
    );
  };
  return (
    <main class="wallboard" aria-label={t('wallboard')}>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="tiles">
        <div class="tile"><span class="big" data-testid="queue-total">{queued.length}</span><span>{t('queueSize')}</span></div>
        <div class="tile"><span class="big" data-testid="longest-wait">{queued.length ? duration(lang, longest) : '—'}</span><span>{t('longestWait')}</span></div>
        <div class={`tile${breaches ? ' breached' : ''}`}><span class="big" data-testid="sla-breaches">{breaches}</span><span>{t('slaBreaches')}</span></div>
        <div class={`tile${late ? ' breached' : ''}`}><span class="big" data-testid="resolution-breaches">{late}</span><span>{t('resolutionBreaches')}</span></div>
        <div class="tile"><span class="big" data-testid="assigned-total">{assigned.length}</span><span>{t('assigned')}</span></div>
      </div>
      {table(t('byChannel'), byChannel, 'by-channel', lateByChannel)}
      {table(t('byLanguage'), queueRows(queued, (c) => c.language ?? '—', now, slaOf), 'by-language', lateByLanguage)}
      <section class="card">
        <h3>{t('agents')}</h3>
        <table data-testid="agents">
          <thead><tr><th scope="col">{t('agent')}</th><th scope="col">{t('presence')}</th><th scope="col">{t('load')}</th></tr></thead>
          <tbody>
            {agentRows(agents, assigned).map((a) => (
              <tr key={a.id} data-agent={a.id}>
                <th scope="row">{a.name}</th>
                <td><span class={`dot ${a.presence}`} aria-hidden="true" />{t(a.presence)}</td>
                <td><span class="loadbar" aria-hidden="true"><span style={{ inlineSize: `${Math.min(100, (a.active / Math.max(1, a.max)) * 100)}%` }} /></span> {a.active}/{a.max}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
