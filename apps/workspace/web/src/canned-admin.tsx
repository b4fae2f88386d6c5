import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api';
import type { T } from './i18n';
import { explain } from './errors';
import type { Canned } from './desk-figures';

const key = (c: Pick<Canned, 'shortcut' | 'language'>) => `/v1/canned-responses/${encodeURIComponent(c.shortcut)}/${encodeURIComponent(c.language)}`;

/** The tenant's canned responses, kept by admins and supervisors: one text per shortcut and language. */
export function CannedAdmin({ api, t }: { api: Api; t: T }) {
  const [list, setList] = useState<Canned[]>([]);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const load = () => api.call<Canned[]>('GET', '/v1/canned-responses').then(setList, (e: unknown) => setError(explain(t, e)));
  useEffect(() => { void load(); }, []);
  const act = async (what: () => Promise<unknown>, done: string) => {
    setError('');
    setNotice('');
    try {
      await what();
      setNotice(done);
      await load();
    } catch (e) {
      setError(explain(t, e));
    }
  };
  const save = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const field = (k: string) => { const v = f.get(k); return typeof v === 'string' ? v.trim() : ''; };
    void act(async () => {
      await api.call('PUT', key({ shortcut: field('shortcut'), language: field('language') }), { text: field('text') });
      form.reset();
    }, t('saved'));
  };
  return (
    <main class="wallboard" aria-label={t('canned')}>
      {error && <p class="error" role="alert">{error}</p>}
      {notice && <p class="notice" role="status">{notice}</p>}
      <section class="card">
        <h3>{t('newCanned')}</h3>
        <form class="canned-form" onSubmit={save} data-testid="canned-form">
          <label>{t('shortcut')}<input name="shortcut" required maxLength={32} /></label>
          <label>{t('language')}<input name="language" required maxLength={16} placeholder="en" /></label>
          <label class="wide">{t('text')}<textarea name="text" required maxLength={4096} /></label>
          <button type="submit">{t('save')}</button>
        </form>
      </section>
      <section class="card">
        <h3>{t('canned')}</h3>
        <table data-testid="canned-list">
          <thead><tr><th scope="col">{t('shortcut')}</th><th scope="col">{t('language')}</th><th scope="col">{t('text')}</th><th scope="col"><span class="sr">{t('delete')}</span></th></tr></thead>
          <tbody>
            {list.length ? list.map((c) => (
              <tr key={`${c.shortcut}:${c.language}`}>
                <th scope="row">/{c.shortcut}</th><td>{c.language}</td><td><bdi>{c.text}</bdi></td>
                <td><button type="button" onClick={() => void act(() => api.call('DELETE', key(c)), t('deleted'))} aria-label={`${t('delete')} /${c.shortcut} ${c.language}`}>{t('delete')}</button></td>
              </tr>
            )) : <tr><td colSpan={4} class="muted">{t('none')}</td></tr>}
          </tbody>
        </table>
      </section>
    </main>
  );
}
