import { spawn, type ChildProcess } from 'node:child_process';
import { backoffDelay, supervise, type ExitInfo, type Supervised } from './supervisor';

// A tiny child that runs until killed.
const idle = (): ChildProcess => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const alive = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null && p.pid !== undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('backoffDelay', () => {
  it('doubles from 1 s to at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffDelay(3, { initialBackoffMs: 50, maxBackoffMs: 150 })).toBe(150);
  });
});

describe('supervise', () => {
  let sup: Supervised | undefined;
  afterEach(async () => {
    await sup?.stop('SIGKILL');
    sup = undefined;
  });

  it('restarts a child killed with SIGKILL after a doubling, capped backoff', async () => {
    const started: ChildProcess[] = [];
    const exits: ExitInfo[] = [];
    sup = supervise({
      start: idle, initialBackoffMs: 100, maxBackoffMs: 400, resetAfterMs: 60_000,
      onStart: (p) => started.push(p), onExit: (e) => exits.push(e),
    });
    await waitFor('first start', () => started.length === 1 && started[0].pid !== undefined);

    for (const [i, delay] of [100, 200, 400, 400].entries()) {
      const victim = started[i];
      await waitFor(`child ${i} running`, () => alive(victim));
      const killedAt = Date.now();
      victim.kill('SIGKILL');
      await waitFor(`restart ${i + 1}`, () => started.length === i + 2, 3000);
      const waited = Date.now() - killedAt;
      expect(exits[i]).toMatchObject({ code: null, signal: 'SIGKILL', restart: i + 1, delayMs: delay });
      expect(waited).toBeGreaterThanOrEqual(delay - 5);
      expect(started[i + 1].pid).not.toBe(victim.pid);
      expect(sup.proc).toBe(started[i + 1]);
    }
    expect(sup.restarts).toBe(4);
  });

  it('starts the backoff over once a run has stayed up for resetAfterMs', async () => {
    const exits: ExitInfo[] = [];
    sup = supervise({ start: idle, initialBackoffMs: 50, maxBackoffMs: 1000, resetAfterMs: 500, onExit: (e) => exits.push(e) });
    for (let i = 0; i < 2; i++) {
      await waitFor('running', () => alive(sup!.proc));
      sup.proc.kill('SIGKILL');
      await waitFor('exit seen', () => exits.length === i + 1);
    }
    expect(exits.map((e) => e.delayMs)).toEqual([50, 100]);
    await waitFor('running', () => alive(sup!.proc));
    await sleep(600);
    sup.proc.kill('SIGKILL');
    await waitFor('exit seen', () => exits.length === 3);
    expect(exits[2].delayMs).toBe(50);
  });

  it('does not restart a child it stopped, nor one that died just before the stop', async () => {
    let starts = 0;
    const exits: ExitInfo[] = [];
    sup = supervise({ start: () => { starts++; return idle(); }, initialBackoffMs: 100, onExit: (e) => exits.push(e) });
    await waitFor('running', () => alive(sup!.proc));
    const child = sup.proc;
    await sup.stop();
    expect(child.signalCode).toBe('SIGTERM');
    await sleep(300);
    expect(starts).toBe(1);
    expect(exits).toEqual([]);

    // Killed, restart pending, then stopped: the pending restart is cancelled.
    starts = 0;
    sup = supervise({ start: () => { starts++; return idle(); }, initialBackoffMs: 200, onExit: (e) => exits.push(e) });
    await waitFor('running', () => alive(sup!.proc));
    sup.proc.kill('SIGKILL');
    await waitFor('exit seen', () => exits.length === 1);
    await sup.stop();
    await sleep(400);
    expect(starts).toBe(1);
    expect(sup.stopping).toBe(true);
  });

  it('ends a child that ignores SIGTERM with SIGKILL after killAfterMs', async () => {
    const stubborn = () => spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000); process.stdout.write("r")'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let ready = false;
    sup = supervise({ start: stubborn, killAfterMs: 300, onStart: (p) => p.stdout!.once('data', () => (ready = true)) });
    await waitFor('handler installed', () => ready);
    const child = sup.proc;
    await sup.stop();
    expect(child.signalCode).toBe('SIGKILL');
  });
});
