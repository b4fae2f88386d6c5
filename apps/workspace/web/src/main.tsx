import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, ApiError, Person } from './api';
import { ConversationEvent, LiveStatus, followEvents } from './live';
import { LANGUAGES, LANGUAGE_NAMES, Lang, T, direction, translator } from './i18n';
import { Inbox } from './inbox';
import { ConversationView } from './conversation';
import { Wallboard } from './wallboard';
import { CannedAdmin } from './canned-admin';
import { explain } from './errors';
import { ShortcutHelp, useShortcuts } from './shortcuts';
import './styles.css';

export function initialLanguage(): Lang {
  const stored = localStorage.getItem('omni.workspace.lang');
  if (stored && (LANGUAGES as readonly string[]).includes(stored)) return stored as Lang;
  const nav = navigator.language.slice(0, 2);
  return (LANGUAGES as readonly string[]).includes(nav) ? (nav as Lang) : 'en';
}

function SignIn({ api, t, onSignedIn, notice }: { api: Api; t: T; onSignedIn: (p: Person) => void; notice: string }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      const field = (k: string) => { const v = f.get(k); return typeof v === 'string' ? v : ''; };
      onSignedIn(await api.signIn(field('tenant'), field('email'), field('password')));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('wrongCredentials') : explain(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <h1>{t('appName')}</h1>
      {notice && <p class="notice" role="status">{notice}</p>}
      <form onSubmit={(e) => void submit(e)} aria-label={t('signIn')}>
        <label>{t('tenant')}<input name="tenant" defaultValue="default" required autocomplete="organization" /></label>
        <label>{t('email')}<input name="email" type="email" required autocomplete="username" /></label>
        <label>{t('password')}<input name="password" type="password" required autocomplete="current-password" /></label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{t('signIn')}</button>
      </form>
    </main>
  );
}

function Presence({ api, t, agentId }: { api: Api; t: T; agentId: string }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    api.call<{ presence: string }>('GET', `/v1/agents/${encodeURIComponent(agentId)}`).then((a) => setValue(a.presence), (e: unknown) => setError(explain(t, e)));
  }, [agentId]);
  const change = async (presence: string) => {
    setError('');
    try {
      setValue((await api.call<{ presence: string }>('PUT', `/v1/agents/${encodeURIComponent(agentId)}/presence`, { presence })).presence);
    } catch (e) {
      setError(explain(t, e));
    }
  };
  return (
    <label class="presence">
      {t('presence')}
      <select value={value} onChange={(e) => void change((e.currentTarget).value)} data-testid="presence">
        {(['online', 'away', 'offline'] as const).map((p) => <option value={p} key={p}>{t(p)}</option>)}
      </select>
      {error && <span class="error" role="alert">{error}</span>}
    </label>
  );
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLanguage());
  const t = useMemo(() => translator(lang), [lang]);
  const [notice, setNotice] = useState('');
  const expiredRef = useRef<() => void>(() => undefined);
  const api = useMemo(() => new Api(() => expiredRef.current()), []);
  const [person, setPerson] = useState<Person | null>(api.person);
  const [tab, setTab] = useState<'inbox' | 'wallboard' | 'reports' | 'canned'>('inbox');
  // The reports (and uPlot) load only when opened: the first screen's bundle stays small.
  const [ReportsView, setReportsView] = useState<null | typeof import('./reports').Reports>(null);
  const [loadError, setLoadError] = useState(false);
  useEffect(() => {
    if (tab !== 'reports' || ReportsView) return;
    import('./reports').then((m) => setReportsView(() => m.Reports), () => setLoadError(true));
  }, [tab]);
  const [selected, setSelected] = useState<string | null>(null);
  const [live, setLive] = useState<LiveStatus>('connecting');
  const [tick, setTick] = useState(0);
  const [help, setHelp] = useState(false);
  const toggleHelp = useCallback(() => setHelp((h) => !h), []);
  useShortcuts(setSelected, toggleHelp);
  expiredRef.current = () => {
    setPerson(null);
    setNotice(t('sessionExpired'));
  };

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = direction(lang);
    document.title = t('appName');
    localStorage.setItem('omni.workspace.lang', lang);
  }, [lang]);

  // Live: every conversation change bumps `tick`; the views re-read what they show.
  useEffect(() => {
    if (!person) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = followEvents(api, (_e: ConversationEvent) => {
      clearTimeout(timer);
      timer = setTimeout(() => setTick((n) => n + 1), 150);
    }, (s) => {
      setLive(s);
      if (s === 'live') setTick((n) => n + 1);
    });
    return () => { stop(); clearTimeout(timer); };
  }, [person]);

  const signOut = useCallback(async () => {
    await api.signOut().catch(() => undefined);
    setPerson(null);
    setSelected(null);
  }, [api]);

  const languagePicker = (
    <label class="lang">
      {t('language')}
      <select value={lang} onChange={(e) => setLang((e.currentTarget).value as Lang)} data-testid="language">
        {LANGUAGES.map((l) => <option value={l} key={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
      </select>
    </label>
  );

  if (!person) {
    return (
      <>
        <header class="bar">{languagePicker}</header>
        <SignIn api={api} t={t} notice={notice} onSignedIn={(p) => { setNotice(''); setPerson(p); }} />
      </>
    );
  }
  const supervises = person.role !== 'agent';
  return (
    <>
      <header class="bar">
        <strong>{t('appName')}</strong>
        <nav aria-label={t('appName')}>
          <button class={tab === 'inbox' ? 'tab on' : 'tab'} aria-pressed={tab === 'inbox'} onClick={() => setTab('inbox')}>{t('inbox')}</button>
          {supervises && <button class={tab === 'wallboard' ? 'tab on' : 'tab'} aria-pressed={tab === 'wallboard'} onClick={() => setTab('wallboard')}>{t('wallboard')}</button>}
          {supervises && <button class={tab === 'reports' ? 'tab on' : 'tab'} aria-pressed={tab === 'reports'} onClick={() => setTab('reports')}>{t('reports')}</button>}
          {supervises && <button class={tab === 'canned' ? 'tab on' : 'tab'} aria-pressed={tab === 'canned'} onClick={() => setTab('canned')}>{t('canned')}</button>}
        </nav>
        <span class={`live ${live}`} role="status" data-testid="live">{live === 'live' ? t('live') : live === 'lost' ? t('connectionLost') : t('connecting')}</span>
        {person.agentId && <Presence api={api} t={t} agentId={person.agentId} />}
        {languagePicker}
        <button class="tab" onClick={toggleHelp} aria-label={t('shortcuts')} title={t('shortcuts')} data-testid="shortcuts">?</button>
        <span class="who">{person.name}</span>
        <button onClick={() => void signOut()}>{t('signOut')}</button>
      </header>
      {tab === 'wallboard' && supervises ? (
        <Wallboard api={api} t={t} lang={lang} tick={tick} />
      ) : tab === 'canned' && supervises ? (
        <CannedAdmin api={api} t={t} />
      ) : tab === 'reports' && supervises ? (
        ReportsView ? <ReportsView api={api} t={t} lang={lang} /> : <main class="empty">{loadError ? <p class="error" role="alert">{t('loadFailed')}</p> : <p>{t('connecting')}</p>}</main>
      ) : (
        <div class="desk">
          <Inbox api={api} t={t} lang={lang} person={person} tick={tick} selected={selected} onSelect={setSelected} />
          {selected ? (
            <ConversationView key={selected} api={api} t={t} lang={lang} person={person} id={selected} tick={tick} online={live === 'live'} onClosed={() => setSelected(null)} />
          ) : (
            <main class="empty"><p>{t('selectConversation')}</p></main>
          )}
        </div>
      )}
      {help && <ShortcutHelp t={t} onClose={() => setHelp(false)} />}
    </>
  );
}

render(<App />, document.getElementById('app')!);
