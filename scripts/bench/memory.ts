import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { NODE } from './infra';

/** Resident set size in KiB from /proc/<pid>/status (NaN once the process is gone). */
export function rssKiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples the RSS of some processes while a phase runs, keeping each one's peak. */
export class RssSampler {
  private readonly peak = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: Record<string, number | undefined>, private readonly everyMs = 100) {}

  start(): this {
    const sample = () => {
      for (const [name, pid] of Object.entries(this.pids)) {
        const v = rssKiB(pid);
        if (Number.isFinite(v)) this.peak.set(name, Math.max(this.peak.get(name) ?? 0, v));
      }
    };
    sample();
    this.timer = setInterval(sample, this.everyMs);
    return this;
  }

  stop(): Record<string, number> {
    clearInterval(this.timer);
    return Object.fromEntries(Object.keys(this.pids).map((n) => [n, this.peak.get(n) ?? Number.NaN]));
  }
}

/** RSS of a bare Node process of the same binary: the floor any app is compared against. */
export async function bareNodeRssKiB(settleMs = 1_500): Promise<number> {
  const child = spawn(NODE, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    return rssKiB(child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

let ticksPerSecond: number | undefined;

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat (NaN once gone). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/** utime, stime, cutime, cstime and the parent of a process from /proc/<pid>/stat (undefined once gone). */
function statOf(pid: number): { own: number; children: number; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]), ppid: Number(f[1]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process and all its descendants so far: their own time, plus what the children
 * that already exited left in their parents' cutime/cstime (PostgreSQL's backends come and go).
 * The difference of two readings is the tree's CPU between them. NaN when the root is gone.
 */
export function treeCpuSeconds(root: number | undefined): number {
  if (root === undefined) return Number.NaN;
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const all = new Map<number, { own: number; children: number; ppid: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = statOf(Number(name));
    if (s) all.set(Number(name), s);
  }
  if (!all.has(root)) return Number.NaN;
  let ticks = 0;
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    const s = all.get(pid);
    if (!s) continue;
    ticks += s.own + s.children;
    for (const [child, c] of all) if (c.ppid === pid) queue.push(child);
  }
  return ticks / ticksPerSecond;
}

export interface CpuPerMessage {
  /** ms of CPU per answered message, by part (NaN parts left out). */
  parts: [string, number][];
  /** The parts not excluded (by default all but `bench`, this process: the load generator). */
  totalMs: number;
}

/** ms of CPU per message, by part, between two readings of cumulative CPU seconds (parts missing from either are left out). */
export function cpuPerMessage(before: Record<string, number>, after: Record<string, number>, messages: number, exclude: readonly string[] = ['bench']): CpuPerMessage {
  const parts = Object.keys(after)
    .map((k): [string, number] => [k, ((after[k] - (before[k] ?? Number.NaN)) * 1000) / Math.max(1, messages)])
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1]);
  return { parts, totalMs: parts.filter(([k]) => !exclude.includes(k)).reduce((n, [, v]) => n + v, 0) };
}
