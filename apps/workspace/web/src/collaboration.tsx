import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api';
import { Lang, T } from './i18n';
import { explain } from './errors';
import type { Canned } from './desk-figures';

export interface Note { _id: string; author: { id: string; name: string }; text: string; at: string }
export interface Viewer { id: string; name: string; typing: boolean }

const HEARTBEAT_MS = 4_000;
/** A pause in typing longer than this is "stopped typing": longer than a heartbeat, so every viewer beats once in between. */
const TYPING_IDLE_MS = 6_000;

const path = (id: string) => `/v1/conversations/${encodeURIComponent(id)}`;

/**
 * Collision detection (ADR 0700): a heartbeat every few seconds while the conversation is open, and
 * at once when the person starts or stops typing; the answer is who else views or types, and the
 * notes count (a new note from someone else re-reads the notes). Closing says goodbye.
 */
export function useViewers(api: Api, id: string, draft: string): { others: Viewer[]; notes: number } {
  const [others, setOthers] = useState<Viewer[]>([]);
  const [notes, setNotes] = useState(0);
  const [typing, setTyping] = useState(false);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return undefined; }
    setTyping(true);
    const idle = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    return () => clearTimeout(idle);
  }, [draft]);
  useEffect(() => {
    let stopped = false;
    const beat = () => api.call<{ others: Viewer[]; notes: number }>('PUT', `${path(id)}/viewers/me`, { typing })
      .then((v) => { if (!stopped) { setOthers(v.others); setNotes(v.notes); } }, () => undefined);
    void beat();
    const timer = setInterval(() => void beat(), HEARTBEAT_MS);
    return () => { stopped = true; clearInterval(timer); };
  }, [id, typing]);
  useEffect(() => () => { void api.call('DELETE', `${path(id)}/viewers/me`).catch(() => undefined); }, [id]);
  return { others, notes };
}

export function CollisionNotice({ t, others }: { t: T; others: Viewer[] }) {
  if (!others.length) return null;
  const typing = others.filter((o) => o.typing).map((o) => o.name);
  const viewing = others.filter((o) => !o.typing).map((o) => o.name);
  return (
    <p class="notice warn" data-testid="collision" aria-live="polite">
      {typing.length ? t('othersTyping', { who: typing.join(', ') }) : ''}
      {typing.length && viewing.length ? ' · ' : ''}
      {viewing.length ? t('othersViewing', { who: viewing.join(', ') }) : ''}
    </p>
  );
}

/** Internal notes: for the tenant's agents only, stored apart from messages (never sent to the customer). */
export function Notes({ api, t, lang, id, count }: { api: Api; t: T; lang: Lang; id: string; count: number }) {
  const [notes, setNotes] = useState<Note[]>([]);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const load = () => api.call<Note[]>('GET', `${path(id)}/notes`).then(setNotes, (e: unknown) => setError(explain(t, e)));
  useEffect(() => { void load(); }, [id, count]);
  const add = async () => {
    if (!text.trim()) return;
    setBusy(true);
    setError('');
    try {
      await api.call('POST', `${path(id)}/notes`, { text: text.trim() });
      setText('');
      await load();
    } catch (e) {
      setError(explain(t, e));
    } finally {
      setBusy(false);
    }
  };
  const time = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' });
  return (
    <section class="notes" aria-label={t('notes')}>
      <h3>{t('notes')} <span class="muted">({t('notesHint')})</span></h3>
      <ul data-testid="notes">
        {notes.map((n) => (
          <li key={n._id}><span class="meta">{n.author.name} · <time dateTime={n.at}>{time.format(new Date(n.at))}</time></span> <bdi>{n.text}</bdi></li>
        ))}
      </ul>
      {error && <p class="error" role="alert">{error}</p>}
      <form onSubmit={(e) => { e.preventDefault(); void add(); }}>
        <label class="sr" for="note">{t('addNote')}</label>
        <textarea id="note" value={text} placeholder={t('notePlaceholder')} onInput={(e) => setText((e.currentTarget).value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void add(); } }} />
        <button type="submit" disabled={busy || !text.trim()}>{t('addNote')}</button>
      </form>
    </section>
  );
}

/** The tenant's canned responses in the customer's language (all languages when it is not known). */
export function useCanned(api: Api, language: string | undefined): Canned[] {
  const [canned, setCanned] = useState<Canned[]>([]);
  useEffect(() => {
    api.call<Canned[]>('GET', `/v1/canned-responses${language ? `?language=${encodeURIComponent(language)}` : ''}`).then(setCanned, () => setCanned([]));
  }, [language]);
  return canned;
}
