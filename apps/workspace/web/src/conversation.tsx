import { useEffect, useRef, useState } from 'preact/hooks';
import type { Agent, Api, Conversation, History, Message, MessageAttachment, Person, SkillGroup } from './api';
import { Lang, T } from './i18n';
import { explain } from './errors';
import { saveFile } from './save-file';
import { markSeen, stateLabel } from './inbox';
import { CollisionNotice, Notes, useCanned, useViewers } from './collaboration';
import { cannedMatches, expandCanned, inStoredOrder } from './desk-figures';

const draftKey = (id: string) => `omni.workspace.draft.${id}`;

function fileSize(lang: Lang, bytes: number): string {
  const [n, unit] = bytes >= 1_048_576 ? [bytes / 1_048_576, 'megabyte'] : [bytes / 1024, 'kilobyte'];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(n);
}

function authorLabel(t: T, m: Message): string {
  if (m.author.kind === 'customer') return t('customer');
  if (m.author.kind === 'bot') return t('bot');
  if (m.author.kind === 'agent') return m.author.name ?? m.author.id ?? t('agent');
  return t('system');
}

/**
 * One conversation: the customer's history across channels, the bot's handoff summary and what the
 * AI understood, reply (the draft is kept in localStorage until sent: it survives a lost connection
 * and a reload), transfer to a group (or, for a supervisor, an agent), resolve.
 */
export function ConversationView({ api, t, lang, person, id, tick, online, onClosed }: {
  api: Api; t: T; lang: Lang; person: Person; id: string; tick: number; online: boolean; onClosed: () => void;
}) {
  const [conv, setConv] = useState<Conversation | null>(null);
  const [history, setHistory] = useState<History | null>(null);
  const [groups, setGroups] = useState<SkillGroup[]>([]);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [draft, setDraft] = useState(localStorage.getItem(draftKey(id)) ?? '');
  const [target, setTarget] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const [label, setLabel] = useState('');
  const [train, setTrain] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const loads = useRef(0);
  // A merge re-reads the history (the other profile's conversations join it).
  const [merges, setMerges] = useState(0);
  // The customer panel (VIP, merge) is a supervisor's: its chunk is fetched only for them (agents' bundle stays as it was).
  const [Panel, setPanel] = useState<null | typeof import('./customer-panel').CustomerPanel>(null);
  const supervises = person.role !== 'agent';
  const { others, notes } = useViewers(api, id, draft);
  const canned = useCanned(api, conv?.language);
  const historyRef = useRef<HTMLOListElement>(null);
  // The newest message in view when the history changes.
  useEffect(() => {
    historyRef.current?.scrollTo({ top: historyRef.current.scrollHeight });
  }, [history]);

  // Every live change re-reads; loads overlap, and only the newest one's answer is shown (an older
  // one finishing last would otherwise put a stale history back on screen).
  useEffect(() => {
    const load = ++loads.current;
    (async () => {
      const c = await api.call<Conversation>('GET', `/v1/conversations/${encodeURIComponent(id)}`);
      const h = await api.call<History>('GET', `/v1/customers/${encodeURIComponent(c.customerId)}/history?limit=200`);
      if (load !== loads.current) return;
      setConv(c);
      setHistory({ ...h, messages: inStoredOrder(h.messages) });
      markSeen(c);
      setError('');
    })().catch((e: unknown) => { if (load === loads.current) setError(explain(t, e)); });
  }, [id, tick, merges]);

  useEffect(() => {
    api.call<SkillGroup[]>('GET', '/v1/skill-groups').then(setGroups, () => undefined);
    if (supervises) api.call<Agent[]>('GET', '/v1/agents').then(setAgents, () => undefined);
    if (supervises) import('./customer-panel').then((m) => setPanel(() => m.CustomerPanel), () => setError(t('loadFailed')));
  }, []);

  const keepDraft = (text: string) => {
    setDraft(text);
    if (text) localStorage.setItem(draftKey(id), text);
    else localStorage.removeItem(draftKey(id));
  };

  const act = async (what: () => Promise<unknown>, done: string, after?: () => void) => {
    setBusy(true);
    setError('');
    setNotice('');
    try {
      await what();
      setNotice(done);
      after?.();
    } catch (e) {
      setError(explain(t, e));
    } finally {
      setBusy(false);
    }
  };

  const send = () => {
    const text = draft.trim();
    if (!text && !files.length) return;
    // Files go to the media store first (POST /v1/media), then the reply references them by storeId.
    void act(async () => {
      const attachments = [];
      for (const f of files) attachments.push({ storeId: (await api.upload(f)).storeId, filename: f.name });
      await api.call('POST', `/v1/conversations/${encodeURIComponent(id)}/messages`, { ...(text ? { text } : {}), ...(attachments.length ? { attachments } : {}) });
    }, t('sent'), () => {
      keepDraft('');
      setFiles([]);
      if (fileInput.current) fileInput.current.value = '';
    });
  };
  /** A stored attachment, fetched with the session (the media API needs it) and saved under its name. */
  const download = (a: MessageAttachment) => {
    if (!a.storeId) return;
    api.call<Blob>('GET', `/v1/media/${encodeURIComponent(a.storeId)}`, undefined, 'blob')
      .then((blob) => saveFile(blob, a.filename ?? a.storeId ?? 'file'), (e: unknown) => setError(explain(t, e)));
  };
  const transfer = () => {
    if (!target) return;
    const [kind, value] = target.split(':') as [string, string];
    const call = kind === 'agent'
      ? () => api.call('POST', `/v1/conversations/${encodeURIComponent(id)}/assign`, { agentId: value })
      : () => api.call('POST', `/v1/conversations/${encodeURIComponent(id)}/transfer`, { groupId: value });
    void act(call, t('transferred'));
  };
  const resolve = () => void act(() => api.call('POST', `/v1/conversations/${encodeURIComponent(id)}/resolve`), t('resolved'));

  const { token, matches } = cannedMatches(draft, canned);
  const channelOf = new Map(history?.conversations.map((c) => [c._id, c.channel]) ?? []);
  const summary = conv?.handoff?.summary;
  const lastAiMessage = [...(history?.messages ?? [])].reverse().find((m) => m.conversationId === id && m.direction === 'inbound' && m.ai);
  const lastAi = lastAiMessage?.ai;
  // A supervisor says what the customer's last message really meant: into the NLU's report, and with
  // "train" into the tenant's training data (the AI worker retrains).
  const correct = () => {
    if (!lastAiMessage || !label.trim()) return;
    void act(() => api.call('POST', `/v1/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(lastAiMessage._id)}/intent`, { label: label.trim(), train }), t('intentCorrected'), () => setLabel(''));
  };
  const time = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' });
  const mayWrite = conv?.state === 'assigned' && (supervises || conv.agentId === person.agentId);

  return (
    <main class="conversation" aria-label={t('conversation')} onKeyDown={(e) => { if (e.key === 'Escape') onClosed(); }}>
      {error && <p class="error" role="alert">{error}</p>}
      {notice && <p class="notice" role="status">{notice}</p>}
      <CollisionNotice t={t} others={others} />
      {conv && (
        <header class="conv-head">
          <h2><span class={`chip ${conv.channel}`}>{conv.channel}</span> {conv.channelUserId}</h2>
          <span class="muted">{stateLabel(t, conv.state)}{conv.agentId ? ` · ${conv.agentId}` : ''}{conv.groupId ? ` · ${conv.groupId}` : ''}</span>
        </header>
      )}
      <div class="panes">
        <section class="history" aria-label={t('history')}>
          <h3>{t('history')}</h3>
          {/* Scrollable: focusable so keyboard users can scroll it (axe scrollable-region-focusable). */}
          <ol data-testid="history" tabIndex={0} aria-label={t('history')} ref={historyRef}>
            {(history?.messages ?? []).map((m) => (
              <li key={m._id} class={`msg ${m.direction} ${m.conversationId === id ? 'here' : 'earlier'}`}>
                <span class="meta"><span class="chip">{channelOf.get(m.conversationId) ?? m.channel}</span> {authorLabel(t, m)} · <time dateTime={m.timestamp}>{time.format(new Date(m.timestamp))}</time></span>
                <bdi class="text">{m.text ?? ''}</bdi>
                {m.attachments?.length ? (
                  <ul class="files">
                    {m.attachments.map((a, i) => (
                      <li key={i}>
                        {a.storeId
                          ? <button type="button" class="file" onClick={() => download(a)} data-testid="attachment"><bdi>{a.filename ?? a.mime}</bdi>{a.size ? ` (${fileSize(lang, a.size)})` : ''} <span aria-hidden="true">↓</span></button>
                          : <span class="muted"><bdi>{a.filename ?? a.mime}</bdi></span>}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ol>
        </section>
        <section class="ai" aria-label={t('aiUnderstood')}>
          <h3>{t('aiUnderstood')}</h3>
          <dl data-testid="ai">
            <dt>{t('language')}</dt><dd>{summary?.language ?? lastAi?.language ?? conv?.language ?? t('none')}</dd>
            <dt>{t('intent')}</dt>
            <dd>{summary?.intents?.length
              ? summary.intents.map((i) => `${i.name} (${t('confidence')} ${Math.round(i.maxConfidence * 100)}%)`).join(', ')
              : lastAi?.intent ? `${lastAi.intent.name} (${t('confidence')} ${Math.round(lastAi.intent.confidence * 100)}%)` : t('none')}</dd>
            <dt>{t('sentiment')}</dt><dd>{summary?.sentiment?.trend ?? lastAi?.sentiment?.label ?? t('none')}</dd>
          </dl>
          {supervises && lastAiMessage && (
            <form class="correct" data-testid="correct-intent" data-message-id={lastAiMessage._id} onSubmit={(e) => { e.preventDefault(); correct(); }}>
              <label for="intent-label">{t('correctIntent')}</label>
              {lastAiMessage.text && <q class="muted">{lastAiMessage.text}</q>}
              <input id="intent-label" name="label" value={label} onInput={(e) => setLabel((e.currentTarget).value)} placeholder={lastAi?.intent?.name ?? ''} maxLength={128} required />
              <label class="check"><input type="checkbox" name="train" checked={train} onChange={(e) => setTrain((e.currentTarget).checked)} /> {t('trainOnIt')}</label>
              <button type="submit" disabled={busy || !label.trim()}>{t('save')}</button>
            </form>
          )}
          {conv?.handoff && (
            <>
              <h3>{t('handoffSummary')}</h3>
              <p data-testid="handoff">{summary?.text ?? ''}</p>
              <p class="muted">{t('reasons')}: {conv.handoff.reasons.map((r) => r.code).join(', ')}</p>
            </>
          )}
          <Notes api={api} t={t} lang={lang} id={id} count={notes} />
          {Panel && conv && <Panel api={api} t={t} customerId={conv.customerId} onMerged={() => setMerges((n) => n + 1)} />}
        </section>
      </div>
      <form class="reply" onSubmit={(e) => { e.preventDefault(); send(); }} aria-label={t('reply')}>
        <label class="sr" for="reply">{t('reply')}</label>
        <textarea id="reply" value={draft} placeholder={t('replyPlaceholder')} onInput={(e) => keepDraft((e.currentTarget).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
            if (e.key === 'Tab' && !e.shiftKey && matches[0]) { e.preventDefault(); keepDraft(expandCanned(draft, token, matches[0])); }
          }} disabled={!mayWrite} aria-describedby="canned-hint" />
        <p id="canned-hint" class="muted hint">{t('cannedHint')}</p>
        {matches.length > 0 && (
          <ul class="canned" data-testid="canned" aria-label={t('canned')}>
            {matches.map((c) => (
              <li key={`${c.shortcut}:${c.language}`}>
                <button type="button" class="file" onClick={() => { keepDraft(expandCanned(draft, token, c)); document.getElementById('reply')?.focus(); }}>
                  /{c.shortcut} <span class="chip">{c.language}</span> <bdi>{c.text.length > 60 ? `${c.text.slice(0, 60)}…` : c.text}</bdi>
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="actions">
          <label>{t('attach')}
            <input id="attach" type="file" multiple ref={fileInput} disabled={!mayWrite} data-testid="attach"
              onChange={(e) => setFiles([...((e.currentTarget).files ?? [])])} />
          </label>
          <button type="submit" disabled={busy || !mayWrite || (!draft.trim() && !files.length) || !online}>{t('send')}</button>
          <label>{t('transferTo')}
            <select value={target} onChange={(e) => setTarget((e.currentTarget).value)} disabled={!mayWrite} data-testid="transfer-target">
              <option value="">—</option>
              <optgroup label={t('group')}>{groups.map((g) => <option key={g.id} value={`group:${g.id}`}>{g.name ?? g.id}</option>)}</optgroup>
              {supervises && <optgroup label={t('agent')}>{agents.map((a) => <option key={a._id} value={`agent:${a._id}`}>{a.name}</option>)}</optgroup>}
            </select>
          </label>
          <button type="button" onClick={transfer} disabled={busy || !mayWrite || !target}>{t('transfer')}</button>
          <button type="button" onClick={resolve} disabled={busy || !mayWrite} data-action="resolve">{t('resolve')}</button>
        </div>
      </form>
    </main>
  );
}
