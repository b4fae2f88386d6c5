import { useEffect } from 'preact/hooks';
import type { Key, T } from './i18n';

/** The keyboard shortcuts (shown by `?`); Alt-combinations work while typing too. */
export const SHORTCUTS: { keys: string; what: Key }[] = [
  { keys: '?', what: 'kbHelp' },
  { keys: 'j / k', what: 'kbNextPrev' },
  { keys: 'Alt+R', what: 'kbReply' },
  { keys: 'Alt+N', what: 'kbNote' },
  { keys: 'Alt+A', what: 'kbAttach' },
  { keys: 'Alt+T', what: 'kbTransfer' },
  { keys: 'Alt+D', what: 'kbResolve' },
  { keys: '/shortcut + Tab', what: 'kbCanned' },
  { keys: 'Ctrl+Enter', what: 'kbSend' },
  { keys: 'Esc', what: 'kbClose' },
];

const editable = (el: EventTarget | null) => el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

/** Moves the selection in the inbox's list by `step` (the rows in document order). */
function moveSelection(step: number, onSelect: (id: string) => void): void {
  const rows = [...document.querySelectorAll<HTMLElement>('.inbox [data-conversation]')];
  if (!rows.length) return;
  const at = rows.findIndex((r) => r.classList.contains('sel'));
  const next = rows[Math.min(rows.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
  const id = next?.dataset.conversation;
  if (id) onSelect(id);
}

/** The common actions from the keyboard, by the controls' ids: the same checks as a click. */
export function useShortcuts(onSelect: (id: string) => void, toggleHelp: () => void): void {
  useEffect(() => {
    const handler = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const target = ({ r: '#reply', n: '#note', a: '#attach', t: '[data-testid=transfer-target]', d: '[data-action=resolve]' } as Record<string, string>)[e.key.toLowerCase()]
          ?? ({ KeyR: '#reply', KeyN: '#note', KeyA: '#attach', KeyT: '[data-testid=transfer-target]', KeyD: '[data-action=resolve]' } as Record<string, string>)[e.code];
        const el = target ? document.querySelector<HTMLElement>(target) : null;
        if (!el) return;
        e.preventDefault();
        if (el instanceof HTMLButtonElement || (el instanceof HTMLInputElement && el.type === 'file')) el.click();
        else el.focus();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || editable(e.target)) return;
      if (e.key === '?') { e.preventDefault(); toggleHelp(); }
      else if (e.key === 'j') moveSelection(1, onSelect);
      else if (e.key === 'k') moveSelection(-1, onSelect);
    };
    document.addEventListener('keydown', handler);
    return () => document.removeEventListener('keydown', handler);
  }, [onSelect, toggleHelp]);
}

export function ShortcutHelp({ t, onClose }: { t: T; onClose: () => void }) {
  useEffect(() => {
    document.getElementById('shortcut-help-close')?.focus();
    const esc = (e: KeyboardEvent) => { if (e.key === 'Escape') onClose(); };
    document.addEventListener('keydown', esc);
    return () => document.removeEventListener('keydown', esc);
  }, []);
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="shortcut-help-title" data-testid="shortcut-help">
      <div class="card">
        <h2 id="shortcut-help-title">{t('kbTitle')}</h2>
        <table>
          <tbody>{SHORTCUTS.map((s) => <tr key={s.keys}><th scope="row"><kbd>{s.keys}</kbd></th><td>{t(s.what)}</td></tr>)}</tbody>
        </table>
        <button id="shortcut-help-close" onClick={onClose}>{t('close')}</button>
      </div>
    </div>
  );
}
