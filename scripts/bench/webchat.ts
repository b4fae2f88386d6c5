import WebSocket from 'ws';

interface Frame {
  type: string;
  code?: string;
  reason?: string;
  message?: { author?: string };
}

const TEXTS = ['hello', 'what are your opening hours?', 'hola', 'how can I return an item?', 'thanks'];

/** One widget session speaking the /ws protocol (apps/channel-web/src/chat/protocol.ts). */
class ChatSession {
  private waiter: { resolve: () => void; reject: (e: Error) => void } | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const f = JSON.parse(raw.toString()) as Frame;
      if (f.type === 'message' && f.message?.author === 'bot') this.settle();
      if (f.type === 'error') this.settle(new Error(`channel-web error ${f.code}: ${f.reason}`));
    });
    ws.on('close', () => this.settle(new Error('socket closed')));
  }

  static open(baseUrl: string): Promise<ChatSession> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', displayName: 'bench' })));
      const onWelcome = (raw: Buffer) => {
        if ((JSON.parse(raw.toString()) as Frame).type !== 'welcome') return;
        ws.off('message', onWelcome);
        resolve(new ChatSession(ws));
      };
      ws.on('message', onWelcome);
    });
  }

  /** Milliseconds from the send to the bot's reply arriving on this socket. */
  async roundTrip(k: number, timeoutMs = 60_000): Promise<number> {
    const t0 = performance.now();
    const reply = new Promise<void>((resolve, reject) => { this.waiter = { resolve, reject }; });
    const timer = setTimeout(() => this.settle(new Error(`no bot reply within ${timeoutMs} ms`)), timeoutMs);
    this.ws.send(JSON.stringify({ type: 'message', clientMessageId: `bench-${String(k).padStart(6, '0')}`, text: TEXTS[k % TEXTS.length] }));
    try {
      await reply;
      return performance.now() - t0;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.ws.removeAllListeners('close');
    this.ws.close();
  }

  private settle(err?: Error): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w && err) w.reject(err);
    else w?.resolve();
  }
}

export interface ChatRun {
  samples: number[];
  /** Sessions that stopped early (no reply in time, error frame): reported, not hidden. */
  failures: string[];
  seconds: number;
}

/**
 * `sessions` concurrent widget sessions, each sending `perSession` messages one after another
 * (a customer waits for the answer). The first message of a session (conversation opening) is a
 * warm-up and not counted. A session that fails stops (a late reply would be misattributed). No new
 * message is sent after `budgetMs`.
 */
export async function webChatRoundTrips(baseUrl: string, sessions: number, perSession: number, budgetMs = Infinity): Promise<ChatRun> {
  const open = await Promise.all(Array.from({ length: sessions }, () => ChatSession.open(baseUrl)));
  const samples: number[] = [];
  const failures: string[] = [];
  const t0 = performance.now();
  // A slow (or contended) machine ends the phase early with fewer samples instead of running long.
  const deadline = t0 + budgetMs;
  try {
    await Promise.all(
      open.map(async (s) => {
        try {
          await s.roundTrip(0);
          for (let k = 1; k <= perSession && performance.now() < deadline; k++) samples.push(await s.roundTrip(k));
        } catch (err) {
          failures.push(err instanceof Error ? err.message : String(err));
        }
      }),
    );
    return { samples, failures, seconds: (performance.now() - t0) / 1000 };
  } finally {
    for (const s of open) s.close();
  }
}
