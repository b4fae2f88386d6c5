import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { NODE, ROOT } from './infra';

export interface BareProcess {
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts one of the benchmark's bare baseline servers (a plain .mjs under scripts/bench) in its own
 * process, like the app it is compared with, and resolves once it prints "ready". It is killed when
 * this process exits; `stop` asks it to drain (SIGTERM) and kills it after 5 s.
 */
export async function startBareProcess(script: string, env: Record<string, string>, what: string): Promise<BareProcess> {
  const proc = spawn(NODE, [resolve(ROOT, 'scripts/bench', script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const reap = () => proc.exitCode === null && proc.kill('SIGKILL');
  process.once('exit', reap);
  const logs: string[] = [];
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${what} not ready after 30 s:\n${logs.join('')}`)), 30_000);
    proc.stderr?.on('data', (b: Buffer) => logs.push(b.toString()));
    proc.stdout?.on('data', (b: Buffer) => {
      if (b.toString().startsWith('ready')) {
        clearTimeout(timer);
        res();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`${what} exited with ${code}:\n${logs.join('')}`));
    });
  });
  return {
    proc,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      reap();
    },
  };
}
