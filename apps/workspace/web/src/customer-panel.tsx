import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api';
import { T } from './i18n';
import { explain } from './errors';

/** A channel identity as the router's customers API returns it. */
export interface Identity { _id: string; channel: string; channelUserId: string; displayName?: string; language?: string }
interface Profile { profileId: string; identities: Identity[]; tier?: { vip: boolean; priority: number } }

function Identities({ t, title, profile, testId }: { t: T; title: string; profile: Profile | null; testId: string }) {
  return (
    <div class="profile">
      <h4>{title}</h4>
      <ul data-testid={testId} aria-label={`${title}: ${t('identities')}`}>
        {(profile?.identities ?? []).map((i) => (
          <li key={i._id}><span class={`chip ${i.channel}`}>{i.channel}</span> <bdi>{i.channelUserId}</bdi>{i.displayName ? <> · <bdi>{i.displayName}</bdi></> : null}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The supervisor's customer panel in a conversation (`customers.tier`, `customers.link`): the VIP
 * standing, and the merge with another customer. A chunk of its own, fetched only for supervisors.
 */
export function CustomerPanel(props: { api: Api; t: T; customerId: string; onMerged: () => void }) {
  return (
    <>
      <CustomerTier api={props.api} t={props.t} customerId={props.customerId} />
      <MergeCustomers {...props} />
    </>
  );
}

/**
 * VIP (PUT /v1/customers/{id}/tier, every identity of the profile): the router serves a VIP first in
 * the queues from their next handoff or transfer on (the standing is read when queued, ADR 0200); the
 * priority is kept as it was.
 */
function CustomerTier({ api, t, customerId }: { api: Api; t: T; customerId: string }) {
  const [tier, setTier] = useState<{ vip: boolean; priority: number } | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setNotice(''); setError('');
    api.call<Profile>('GET', `/v1/customers/${encodeURIComponent(customerId)}`).then((p) => setTier(p.tier ?? { vip: false, priority: 0 }), (e: unknown) => setError(explain(t, e)));
  }, [customerId]);
  const change = async (vip: boolean) => {
    if (!tier) return;
    setBusy(true); setError(''); setNotice('');
    try {
      const p = await api.call<Profile>('PUT', `/v1/customers/${encodeURIComponent(customerId)}/tier`, { vip, priority: tier.priority });
      setTier(p.tier ?? { vip, priority: tier.priority });
      setNotice(t('tierSaved', { state: t(vip ? 'tierVip' : 'tierNotVip') }));
    } catch (e) {
      setError(explain(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="tier" data-testid="tier">
      <label class="check"><input type="checkbox" name="vip" checked={tier?.vip ?? false} disabled={!tier || busy} onChange={(e) => void change((e.currentTarget).checked)} /> {t('vipCustomer')}</label>
      {error && <p class="error" role="alert">{error}</p>}
      {notice && <p class="notice" role="status">{notice}</p>}
    </section>
  );
}

/**
 * The supervisor's merge of two customers who are the same person (ADR 0221, `customers.link`): find
 * the other customer (GET /v1/customers?q=), compare both profiles' identities, confirm
 * (POST /v1/customers/{id}/merge); the conversation then shows the merged history (`onMerged`).
 */
function MergeCustomers({ api, t, customerId, onMerged }: { api: Api; t: T; customerId: string; onMerged: () => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Identity[] | null>(null);
  const [mine, setMine] = useState<Profile | null>(null);
  const [other, setOther] = useState<(Profile & { chosen: string }) | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const profile = (id: string) => api.call<Profile>('GET', `/v1/customers/${encodeURIComponent(id)}`);

  useEffect(() => {
    setFound(null); setOther(null); setNotice(''); setError('');
    profile(customerId).then(setMine, (e: unknown) => setError(explain(t, e)));
  }, [customerId]);
  // The confirmation is the next thing to do: keyboard users land on it (once it is enabled again).
  useEffect(() => { if (other && !busy) confirmRef.current?.focus(); }, [other?.chosen, busy]);

  const run = async (what: () => Promise<void>) => {
    setBusy(true); setError(''); setNotice('');
    try { await what(); } catch (e) { setError(explain(t, e)); } finally { setBusy(false); }
  };
  const search = () => run(async () => {
    setOther(null);
    const hits = await api.call<Identity[]>('GET', `/v1/customers?${new URLSearchParams({ q: q.trim() }).toString()}`);
    const ours = new Set(mine?.identities.map((i) => i._id) ?? [customerId]);
    const others = hits.filter((h) => !ours.has(h._id));
    setFound(others);
    if (!others.length) setNotice(t(hits.length ? 'mergeAlready' : 'mergeNoMatch', { q: q.trim() }));
  });
  const choose = (id: string) => run(async () => { setOther({ ...(await profile(id)), chosen: id }); });
  const confirm = () => run(async () => {
    if (!other) return;
    // The router links the chosen customer's whole profile into this one (messages are never moved).
    setMine(await api.call<Profile>('POST', `/v1/customers/${encodeURIComponent(customerId)}/merge`, { customerId: other.chosen }));
    setOther(null); setFound(null); setQ('');
    setNotice(t('mergeDone'));
    onMerged();
  });

  return (
    <section class="merge" aria-labelledby="merge-title" data-testid="merge">
      <h3 id="merge-title">{t('mergeTitle')}</h3>
      <p class="muted hint" id="merge-hint">{t('mergeHint')}</p>
      <form role="search" onSubmit={(e) => { e.preventDefault(); void search(); }}>
        <label for="merge-q">{t('mergeSearch')}</label>
        <input id="merge-q" name="q" value={q} onInput={(e) => setQ((e.currentTarget).value)} minLength={2} maxLength={128} required aria-describedby="merge-hint" />
        <button type="submit" disabled={busy || q.trim().length < 2}>{t('mergeFind')}</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {notice && <p class="notice" role="status">{notice}</p>}
      {found && found.length > 0 && (
        <ul class="candidates" data-testid="merge-candidates" aria-label={t('mergeSearch')}>
          {found.map((c) => (
            <li key={c._id}>
              <button type="button" class="file" aria-pressed={other?.chosen === c._id} onClick={() => void choose(c._id)} disabled={busy}>
                <span class={`chip ${c.channel}`}>{c.channel}</span> <bdi>{c.channelUserId}</bdi>{c.displayName ? <> · <bdi>{c.displayName}</bdi></> : null}
              </button>
            </li>
          ))}
        </ul>
      )}
      {other && (
        <div class="compare">
          <Identities t={t} title={t('mergeThis')} profile={mine} testId="merge-this" />
          <Identities t={t} title={t('mergeCandidate')} profile={other} testId="merge-other" />
          <div class="actions">
            <button type="button" ref={confirmRef} onClick={() => void confirm()} disabled={busy}>{t('mergeConfirm')}</button>
            <button type="button" class="tab" onClick={() => setOther(null)} disabled={busy}>{t('mergeCancel')}</button>
          </div>
        </div>
      )}
    </section>
  );
}
