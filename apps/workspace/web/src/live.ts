import { createParser } from 'eventsource-parser';
import type { Api } from './api';

export type LiveStatus = 'connecting' | 'live' | 'lost';
export interface ConversationEvent { conversationId: string; kind: string; state: string; at: string }

/**
 * The router's SSE stream (`/v1/events`) read with fetch (EventSource cannot send Authorization),
 * parsed by eventsource-parser; a dropped stream is reopened with backoff (1 s doubling to 15 s) and
 * reported as lost meanwhile. Returns the function that stops it.
 */
export function followEvents(api: Api, onEvent: (e: ConversationEvent) => void, onStatus: (s: LiveStatus) => void): () => void {
  const abort = new AbortController();
  let delay = 1_000;
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const res = await fetch('./api/v1/events', { headers: { authorization: api.authorization(), accept: 'text/event-stream' }, signal: abort.signal });
        if (res.status === 401) {
          if (!(await api.refresh())) return;
          continue;
        }
        if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
        onStatus('live');
        delay = 1_000;
        const parser = createParser({ onEvent: (m) => { try { onEvent(JSON.parse(m.data) as ConversationEvent); } catch { /* not an event of ours */ } } });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      onStatus('lost');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  };
  onStatus('connecting');
  void run();
  return () => abort.abort();
}
