import { spawn } from 'node:child_process';
import { cpuPerMessage, cpuSeconds, treeCpuSeconds } from './memory';

describe('bench CPU readings', () => {
  it('divides each part’s CPU between two readings by the messages, leaves out parts missing from either, totals all but the excluded', () => {
    const before = { router: 10, Kafka: 5, bench: 1, gone: 3 };
    const after = { router: 10.5, Kafka: 5.2, bench: 1.4, 'new-app': 2 };
    const c = cpuPerMessage(before, after, 100);
    expect(c.parts.map(([k]) => k)).toEqual(['router', 'bench', 'Kafka']);
    [5, 4, 2].forEach((ms, i) => expect(c.parts[i][1]).toBeCloseTo(ms));
    expect(c.totalMs).toBeCloseTo(7);
    expect(cpuPerMessage(before, after, 100, []).totalMs).toBeCloseTo(11);
    expect(cpuPerMessage(before, { router: Number.NaN }, 10).parts).toEqual([]);
  });

  it('counts a process tree: the root’s own CPU and its busy child’s', async () => {
    const child = spawn(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 600); setTimeout(() => {}, 5000);'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 900));
      const self = cpuSeconds(process.pid);
      const tree = treeCpuSeconds(process.pid);
      // The child spun for 0.6 s of CPU: the tree has it on top of this process's own time.
      expect(tree - self).toBeGreaterThan(0.3);
      expect(treeCpuSeconds(2 ** 22 + 7)).toBeNaN();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
