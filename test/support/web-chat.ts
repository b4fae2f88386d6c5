import WebSocket from 'ws';

/** A frame from channel-web's widget socket (the fields the suites read). */
export interface WidgetFrame {
  type: string;
  code?: string;
  reason?: string;
  token?: string;
  conversationId?: string;
  history?: unknown[];
}

export interface WidgetSocket {
  ws: WebSocket;
  /** The next frame, in the order they came. */
  next: () => Promise<WidgetFrame>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A widget's socket on channel-web at `url` (its `Origin` when given), opened. */
export function openWidgetSocket(url: string, origin?: string): Promise<WidgetSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, origin ? { origin } : {});
    const queue: WidgetFrame[] = [];
    const waiting: ((f: WidgetFrame) => void)[] = [];
    ws.on('message', (raw: Buffer) => {
      const f = JSON.parse(raw.toString()) as WidgetFrame;
      const w = waiting.shift();
      if (w) w(f);
      else queue.push(f);
    });
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    ws.on('open', () => resolve({ ws, closed, next: () => new Promise((r) => { const f = queue.shift(); if (f) r(f); else waiting.push(r); }) }));
    ws.on('error', reject);
  });
}
